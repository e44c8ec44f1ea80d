import Manifests
import Testing

/// Exact expected YAML for ``TestPolicies/small``: any change to a rendered byte shows up here as a diff
/// a reviewer can read.
struct SnapshotTests {
    @Test(arguments: [
        ("r1-7b-deployment.yaml", Snapshots.deployment),
        ("r1-7b-service.yaml", Snapshots.service),
        ("r1-7b-hpa.yaml", Snapshots.autoscaler),
        ("r1-7b-pdb.yaml", Snapshots.disruptionBudget),
        ("r1-7b-servicemonitor.yaml", Snapshots.serviceMonitor),
        ("alerts.rules.yaml", Snapshots.rulesFile),
    ])
    func smallPolicyRendersExactly(fileName: String, expected: String) throws {
        let manifests = try ManifestSet.render(policy: TestPolicies.small)
        let manifest = try #require(manifests.first { $0.fileName == fileName })
        #expect(manifest.yaml == expected)
    }
}

/// The snapshots; kept apart from the test so the table above stays readable.
enum Snapshots {
    static let deployment = #"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: r1-7b
          namespace: default
          labels:
            app.kubernetes.io/name: ballast-worker
            app.kubernetes.io/instance: r1-7b
            app.kubernetes.io/version: v1
            app.kubernetes.io/component: worker
            app.kubernetes.io/managed-by: ballast
            ballast.dev/model: r1-7b
          annotations:
            ballast.dev/model-name: r1-7b
        spec:
          replicas: 1
          revisionHistoryLimit: 5
          selector:
            matchLabels:
              app.kubernetes.io/name: ballast-worker
              app.kubernetes.io/instance: r1-7b
          # Add a replica before removing one: capacity never drops during a rollout.
          strategy:
            type: RollingUpdate
            rollingUpdate:
              maxSurge: 1
              maxUnavailable: 0
          template:
            metadata:
              labels:
                app.kubernetes.io/name: ballast-worker
                app.kubernetes.io/instance: r1-7b
                app.kubernetes.io/version: v1
                app.kubernetes.io/component: worker
                app.kubernetes.io/managed-by: ballast
                ballast.dev/model: r1-7b
              annotations:
                ballast.dev/model-name: r1-7b
                prometheus.io/scrape: "true"
                prometheus.io/port: "8080"
                prometheus.io/path: /metrics
            spec:
              # Long enough to drain in-flight generations.
              terminationGracePeriodSeconds: 120
              containers:
                - name: worker
                  image: ballast/worker:latest
                  args:
                    - worker
                    - --model
                    - r1-7b
                    - --version
                    - v1
                    - --port
                    - "8080"
                    - --memory-budget
                    - "3865470566"
                  ports:
                    - name: http
                      containerPort: 8080
                      protocol: TCP
                  resources:
                    requests:
                      cpu: "2"
                      memory: "4Gi"
                    # No CPU limit: CFS throttling stalls decode steps and shows up as latency.
                    limits:
                      memory: "4Gi"
                  # Loading weights takes minutes; liveness starts only after this succeeds (policy startupGrace).
                  startupProbe:
                    httpGet:
                      path: /health
                      port: http
                    periodSeconds: 10
                    timeoutSeconds: 5
                    failureThreshold: 60
                  livenessProbe:
                    httpGet:
                      path: /health
                      port: http
                    periodSeconds: 10
                    timeoutSeconds: 5
                    failureThreshold: 3
                  readinessProbe:
                    httpGet:
                      path: /ready
                      port: http
                    periodSeconds: 5
                    timeoutSeconds: 5
                    failureThreshold: 3

        """#

    static let service = #"""
        apiVersion: v1
        kind: Service
        metadata:
          name: r1-7b
          namespace: default
          labels:
            app.kubernetes.io/name: ballast-worker
            app.kubernetes.io/instance: r1-7b
            app.kubernetes.io/version: v1
            app.kubernetes.io/component: worker
            app.kubernetes.io/managed-by: ballast
            ballast.dev/model: r1-7b
          annotations:
            ballast.dev/model-name: r1-7b
        spec:
          type: ClusterIP
          selector:
            app.kubernetes.io/name: ballast-worker
            app.kubernetes.io/instance: r1-7b
          ports:
            - name: http
              port: 8080
              targetPort: http
              protocol: TCP

        """#

    static let autoscaler = #"""
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata:
          name: r1-7b
          namespace: default
          labels:
            app.kubernetes.io/name: ballast-worker
            app.kubernetes.io/instance: r1-7b
            app.kubernetes.io/version: v1
            app.kubernetes.io/component: worker
            app.kubernetes.io/managed-by: ballast
            ballast.dev/model: r1-7b
          annotations:
            ballast.dev/model-name: r1-7b
        spec:
          scaleTargetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: r1-7b
          minReplicas: 1
          maxReplicas: 10
          metrics:
            - type: Resource
              resource:
                name: cpu
                target:
                  type: Utilization
                  averageUtilization: 70
            # p95 queue wait per pod in seconds (rule queue-time), served by a custom-metrics adapter.
            - type: Pods
              pods:
                metric:
                  name: ballast_queue_wait_p95_seconds
                target:
                  type: AverageValue
                  averageValue: "500m"
          behavior:
            scaleUp:
              stabilizationWindowSeconds: 0
              selectPolicy: Max
              policies:
                - type: Percent
                  value: 100
                  periodSeconds: 15
                - type: Pods
                  value: 4
                  periodSeconds: 15
            scaleDown:
              stabilizationWindowSeconds: 300
              selectPolicy: Min
              policies:
                - type: Pods
                  value: 1
                  periodSeconds: 60

        """#

    static let disruptionBudget = #"""
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata:
          name: r1-7b
          namespace: default
          labels:
            app.kubernetes.io/name: ballast-worker
            app.kubernetes.io/instance: r1-7b
            app.kubernetes.io/version: v1
            app.kubernetes.io/component: worker
            app.kubernetes.io/managed-by: ballast
            ballast.dev/model: r1-7b
          annotations:
            ballast.dev/model-name: r1-7b
        spec:
          maxUnavailable: 1
          selector:
            matchLabels:
              app.kubernetes.io/name: ballast-worker
              app.kubernetes.io/instance: r1-7b

        """#

    static let serviceMonitor = #"""
        apiVersion: monitoring.coreos.com/v1
        kind: ServiceMonitor
        metadata:
          name: r1-7b
          namespace: default
          labels:
            app.kubernetes.io/name: ballast-worker
            app.kubernetes.io/instance: r1-7b
            app.kubernetes.io/version: v1
            app.kubernetes.io/component: worker
            app.kubernetes.io/managed-by: ballast
            ballast.dev/model: r1-7b
          annotations:
            ballast.dev/model-name: r1-7b
        spec:
          selector:
            matchLabels:
              app.kubernetes.io/name: ballast-worker
              app.kubernetes.io/instance: r1-7b
          namespaceSelector:
            matchNames:
              - default
          endpoints:
            - port: http
              path: /metrics
              interval: "15s"

        """#

    static let rulesFile = #"""
        groups:
          - name: ballast-r1-7b
            rules:
              - alert: BallastKvCacheFull
                expr: ((max(ballast_kv_cache_usage_ratio)) >= 0.95) and ((histogram_quantile(0.95, sum by (le) (rate(ballast_queue_wait_seconds_bucket[1m])))) > 1)
                for: "2m"
                labels:
                  severity: critical
                  policy: r1-7b
                annotations:
                  summary: KV cache is full and requests queue.
                  description: "Policy r1-7b, rule kv-cache-full: all(kv_cache >= 0.95, queue_p95 > 1) held for 2m. Current value: {{ $value | printf \"%.4g\" }}."
              - alert: BallastInferenceCost
                expr: ((count(count by (instance) (ballast_generated_tokens_total{model="r1-7b"})) * 4 / 3600) / sum(rate(ballast_requests_total{model="r1-7b"}[5m]))) > 0.03
                for: "15m"
                labels:
                  severity: warning
                  policy: r1-7b
                annotations:
                  summary: "r1-7b: cost_per_inference > 0.03"
                  description: "Policy r1-7b, rule inference-cost: cost_per_inference > 0.03 held for 15m. Current value: {{ $value | printf \"%.4g\" }}."
              - alert: BallastAcceleratorMemoryHigh
                expr: max by (model, version) (ballast_accelerator_memory_used_bytes{model="r1-7b"} / ballast_accelerator_memory_total_bytes{model="r1-7b"}) > 0.9
                for: "5m"
                labels:
                  severity: critical
                  policy: r1-7b
                annotations:
                  summary: Accelerator memory of {{ $labels.model }} {{ $labels.version }} is above 90 %.
                  description: "A worker uses {{ $value | humanizePercentage }} of its accelerator memory (document 000: target below 80 %, alert above 90 %). Shard the model or quantize it before requests fail."
              - alert: BallastDecodeThroughputLow
                expr: (sum by (model, version) (rate(ballast_generated_tokens_total{model="r1-7b"}[5m])) < 50) and on (model, version) (sum by (model, version) (ballast_running_requests{model="r1-7b"}) > 0)
                for: "10m"
                labels:
                  severity: warning
                  policy: r1-7b
                annotations:
                  summary: "{{ $labels.model }} {{ $labels.version }} generates fewer than 50 tokens/s while busy."
                  description: "The fleet generates {{ $value | printf \"%.1f\" }} tokens/s with requests running (document 000: target above 100 tokens/s, alert below 50). Check batching and accelerator load."
              - alert: BallastP95LatencyHigh
                expr: histogram_quantile(0.95, sum by (model, version, le) (rate(ballast_request_duration_seconds_bucket{model="r1-7b"}[5m]))) > 1
                for: "5m"
                labels:
                  severity: warning
                  policy: r1-7b
                annotations:
                  summary: P95 request latency of {{ $labels.model }} {{ $labels.version }} is above 1000 ms.
                  description: "P95 request duration is {{ $value | humanizeDuration }} (document 000: target below 500 ms, alert above 1000 ms). Scale out or shorten the queue."
              - alert: BallastCostPer1kTokensHigh
                expr: ((count(count by (instance) (ballast_generated_tokens_total{model="r1-7b"})) * 4 / 3600) / (sum(rate(ballast_generated_tokens_total{model="r1-7b"}[5m])) / 1000)) > 0.02
                for: "30m"
                labels:
                  severity: warning
                  policy: r1-7b
                annotations:
                  summary: "1,000 generated tokens of r1-7b cost more than 0.02 USD."
                  description: "1,000 tokens cost {{ $value | printf \"%.4f\" }} USD at 4 USD per replica-hour (document 000: target below $0.01, alert above $0.02). Quantize the model or consolidate replicas."

        """#
}
