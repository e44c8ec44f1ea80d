/// JSON Schemas for the custom resources kubernetes-validate has no schema for (it only warns "Couldn't find
/// schema" and passes them). Each covers the fields Ballast writes, written after the upstream CRDs'
/// `openAPIV3Schema` (prometheus-operator's `monitoring.coreos.com_servicemonitors` and `_prometheusrules`,
/// KEDA's `keda.sh_scaledobjects`): their types, required lists and the operator's own duration pattern. They
/// are a hand-written subset, not a copy of the CRDs. `additionalProperties: false` everywhere stands in for
/// `--strict`: a field outside this subset is reported rather than silently accepted, so a typo cannot pass.
enum CRDSchemas {
    /// Schema file name by `apiVersion/kind`.
    static let fileNames: [String: String] = [
        "monitoring.coreos.com/v1/ServiceMonitor": "servicemonitor.schema.json",
        "monitoring.coreos.com/v1/PrometheusRule": "prometheusrule.schema.json",
        "keda.sh/v1alpha1/ScaledObject": "scaledobject.schema.json",
    ]

    /// Schema text by file name.
    static let schemas: [String: String] = [
        "servicemonitor.schema.json": serviceMonitor,
        "prometheusrule.schema.json": prometheusRule,
        "scaledobject.schema.json": scaledObject,
    ]

    /// Prometheus' duration pattern from the operator's CRDs (`Duration` type).
    private static let duration =
        #"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$"#

    private static let metadata = #"""
        {"type": "object", "required": ["name"], "additionalProperties": false, "properties": {
          "name": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 63},
          "namespace": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 63},
          "labels": {"type": "object", "additionalProperties": {"type": "string"}},
          "annotations": {"type": "object", "additionalProperties": {"type": "string"}}}}
        """#

    private static let labelSelector = #"""
        {"type": "object", "additionalProperties": false, "properties": {
          "matchLabels": {"type": "object", "additionalProperties": {"type": "string"}},
          "matchExpressions": {"type": "array", "items": {"type": "object", "required": ["key", "operator"],
            "additionalProperties": false, "properties": {"key": {"type": "string"}, "operator": {"type": "string"},
            "values": {"type": "array", "items": {"type": "string"}}}}}}}
        """#

    static let serviceMonitor = """
        {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
         "required": ["apiVersion", "kind", "metadata", "spec"], "additionalProperties": false, "properties": {
          "apiVersion": {"const": "monitoring.coreos.com/v1"}, "kind": {"const": "ServiceMonitor"},
          "metadata": \(metadata),
          "spec": {"type": "object", "required": ["selector"], "additionalProperties": false, "properties": {
            "selector": \(labelSelector),
            "namespaceSelector": {"type": "object", "additionalProperties": false, "properties": {
              "any": {"type": "boolean"}, "matchNames": {"type": "array", "items": {"type": "string"}}}},
            "jobLabel": {"type": "string"},
            "endpoints": {"type": "array", "items": {"type": "object", "additionalProperties": false, "properties": {
              "port": {"type": "string"}, "targetPort": {"type": ["integer", "string"]}, "path": {"type": "string"},
              "scheme": {"type": "string", "enum": ["http", "https"]},
              "interval": {"type": "string", "pattern": "\(duration)"},
              "scrapeTimeout": {"type": "string", "pattern": "\(duration)"},
              "honorLabels": {"type": "boolean"}}}}}}}}
        """

    static let prometheusRule = """
        {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
         "required": ["apiVersion", "kind", "metadata", "spec"], "additionalProperties": false, "properties": {
          "apiVersion": {"const": "monitoring.coreos.com/v1"}, "kind": {"const": "PrometheusRule"},
          "metadata": \(metadata),
          "spec": {"type": "object", "additionalProperties": false, "properties": {
            "groups": {"type": "array", "items": {"type": "object", "required": ["name"], "additionalProperties": false,
              "properties": {
                "name": {"type": "string", "minLength": 1},
                "interval": {"type": "string", "pattern": "\(duration)"},
                "limit": {"type": "integer"},
                "rules": {"type": "array", "items": {"type": "object", "required": ["expr"], "additionalProperties": false,
                  "properties": {
                    "alert": {"type": "string"}, "record": {"type": "string"},
                    "expr": {"type": ["integer", "string"]},
                    "for": {"type": "string", "pattern": "\(duration)"},
                    "keep_firing_for": {"type": "string", "minLength": 1, "pattern": "\(duration)"},
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                    "annotations": {"type": "object", "additionalProperties": {"type": "string"}}}}}}}}}}}}
        """

    private static let hpaRules = #"""
        {"type": "object", "additionalProperties": false, "properties": {
          "policies": {"type": "array", "items": {"type": "object", "required": ["type", "value", "periodSeconds"],
            "additionalProperties": false, "properties": {"type": {"type": "string"}, "value": {"type": "integer"},
            "periodSeconds": {"type": "integer"}}}},
          "selectPolicy": {"type": "string"},
          "stabilizationWindowSeconds": {"type": "integer", "minimum": 0, "maximum": 3600}}}
        """#

    static let scaledObject = """
        {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
         "required": ["apiVersion", "kind", "metadata", "spec"], "additionalProperties": false, "properties": {
          "apiVersion": {"const": "keda.sh/v1alpha1"}, "kind": {"const": "ScaledObject"},
          "metadata": \(metadata),
          "spec": {"type": "object", "required": ["scaleTargetRef", "triggers"], "additionalProperties": false, "properties": {
            "scaleTargetRef": {"type": "object", "required": ["name"], "additionalProperties": false, "properties": {
              "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "name": {"type": "string"},
              "envSourceContainerName": {"type": "string"}}},
            "minReplicaCount": {"type": "integer"}, "maxReplicaCount": {"type": "integer"},
            "idleReplicaCount": {"type": "integer"}, "pollingInterval": {"type": "integer"},
            "cooldownPeriod": {"type": "integer"},
            "advanced": {"type": "object", "additionalProperties": false, "properties": {
              "restoreToOriginalReplicaCount": {"type": "boolean"},
              "horizontalPodAutoscalerConfig": {"type": "object", "additionalProperties": false, "properties": {
                "name": {"type": "string"},
                "behavior": {"type": "object", "additionalProperties": false, "properties": {
                  "scaleUp": \(hpaRules), "scaleDown": \(hpaRules)}}}}}},
            "triggers": {"type": "array", "items": {"type": "object", "required": ["type", "metadata"],
              "additionalProperties": false, "properties": {
                "type": {"type": "string"}, "name": {"type": "string"}, "useCachedMetrics": {"type": "boolean"},
                "metricType": {"type": "string", "enum": ["AverageValue", "Value", "Utilization"]},
                "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
                "authenticationRef": {"type": "object", "required": ["name"], "properties": {
                  "name": {"type": "string"}, "kind": {"type": "string"}}}}}}}}}}
        """

    /// Validates one YAML document against one schema with the `jsonschema` package (a dependency of
    /// kubernetes-validate); prints every violation with its path and exits 1 if there is any.
    static let validator = #"""
        import json, sys, yaml, jsonschema
        schema = json.load(open(sys.argv[1]))
        document = yaml.safe_load(open(sys.argv[2]))
        errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(document), key=lambda e: list(e.path))
        for error in errors:
            print("%s: %s: %s" % (sys.argv[2], "/".join(str(p) for p in error.path) or "(root)", error.message))
        sys.exit(1 if errors else 0)
        """#
}
