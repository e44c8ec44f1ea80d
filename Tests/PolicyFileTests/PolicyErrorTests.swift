import PolicyFile
import Testing

/// A policy text and the exact problems it must produce.
struct ErrorCase: CustomTestStringConvertible, Sendable {
    var name: String
    var yaml: String
    var expected: [String]
    var testDescription: String { name }
}

struct PolicyErrorTests {
    static let header = "apiVersion: ballast/v1\nkind: Policy\nmetadata: {name: prod}\nspec:\n"

    /// Cases whose text starts with ``header``: line 5 is the first line under `spec:`.
    static let specCases: [ErrorCase] = [
        ErrorCase(
            name: "min above max",
            yaml: """
                  target:
                    model: m
                    minReplicas: 4
                    maxReplicas: 2
                """, expected: ["p.yaml:7: spec.target.minReplicas (4) is above maxReplicas (2); lower minReplicas."]),
        ErrorCase(
            name: "min above default max", yaml: "  target: {model: m, minReplicas: 11}",
            expected: [
                "p.yaml:5: spec.target.minReplicas (11) is above maxReplicas (10); lower minReplicas."
            ]),
        ErrorCase(
            name: "unknown fields with suggestions",
            yaml: """
                  target:
                    model: m
                    maxReplica: 2
                  signalz: {}
                """,
            expected: [
                "p.yaml:7: spec.target.maxReplica is not a known field; did you mean maxReplicas?",
                "p.yaml:8: spec.signalz is not a known field; did you mean signals?",
            ]),
        ErrorCase(
            name: "unknown field without a close match", yaml: "  target: {model: m, colour: blue}",
            expected: [
                "p.yaml:5: spec.target.colour is not a known field; fields in spec.target are model, version, engine, minReplicas, maxReplicas."
            ]),
        ErrorCase(
            name: "wrong types and negative values",
            yaml: """
                  target: {model: [a], minReplicas: one, maxReplicas: -3, engine: vlm}
                  price: {perReplicaHour: -1, currency: yuan}
                """,
            expected: [
                "p.yaml:5: spec.target.model must be a single value such as `my-model`, not a list.",
                "p.yaml:5: spec.target.engine (`vlm`) is not one of ballast, vllm, llamacpp, tgi, sglang; did you mean vllm?",
                "p.yaml:5: spec.target.minReplicas must be a whole number such as 1, not `one`.",
                "p.yaml:5: spec.target.maxReplicas (-3) is negative; write 1 or more.",
                "p.yaml:6: spec.price.perReplicaHour (-1) is negative; write 0 or more.",
                "p.yaml:6: spec.price.currency (`yuan`) must be an ISO 4217 code of three capital letters such as CNY or USD.",
            ]),
        ErrorCase(
            name: "missing target", yaml: "  signals: {}",
            expected: [
                "p.yaml:5: spec.target is missing; add `target: {model: my-model}` under spec."
            ]),
        ErrorCase(
            name: "durations without units and bad thresholds",
            yaml: """
                  target: {model: m}
                  signals:
                    queue_p95: histogram_quantile(0.95, sum by (le) (rate(ballast_queue_wait_seconds_bucket[1m])))
                    memory_ratio: max(ballast_accelerator_memory_used_bytes / ballast_accelerator_memory_total_bytes)
                  rules:
                    - name: a
                      when: queue_p95 > 500
                      for: 500
                      action: {scale: {}}
                    - name: b
                      when: memory_ratio > 85
                      cooldown: 1x
                      action: {shard: {factor: 2}}
                """,
            expected: [
                "p.yaml:11: spec.rules[a].when: queue_p95 is in seconds; 500 means 500 s; write 500ms or 0.5.",
                "p.yaml:12: spec.rules[a].for (500) has no unit; write 500ms or 500s.",
                "p.yaml:15: spec.rules[b].when: memory_ratio is a ratio from 0 to 1; 85 can never be crossed; write 0.85 or 85%.",
                "p.yaml:16: spec.rules[b].cooldown (`1x`) is not a duration; write a number with a unit (ms, s, m, h, d) such as 5m or 1h30m.",
            ]),
        ErrorCase(
            name: "thresholds in the wrong unit",
            yaml: """
                  target: {model: m}
                  signals:
                    lat: histogram_quantile(0.9, sum by (le) (rate(ballast_request_duration_seconds_bucket[1m])))
                    kv: max(${kv_cache_usage_ratio})
                    waiting: {metric: waiting_requests}
                  rules:
                    - {name: a, when: lat > 50%, action: alert}
                    - {name: b, when: kv > 500ms, action: alert}
                    - {name: c, when: waiting > 2s, action: alert}
                    - {name: d, when: kv > lots, action: alert}
                """,
            expected: [
                "p.yaml:11: spec.rules[a].when: lat is in seconds, not a percentage; write a duration such as 500ms or 0.5.",
                "p.yaml:12: spec.rules[b].when: kv is a share, not a time; write a ratio such as 0.85 or a percentage such as 85%.",
                "p.yaml:13: spec.rules[c].when: waiting counts requests, not time; write a plain number.",
                "p.yaml:14: spec.rules[d].when: `lots` is not a number; write a number such as 0.5, a duration such as 500ms, or a percentage such as 85%.",
            ]),
        ErrorCase(
            name: "rule names, signals and actions",
            yaml: """
                  target: {model: m}
                  signals: {queue_p95: max(x), memory_ratio: max(y)}
                  rules:
                    - {name: a, when: queue_p95 > 1, action: alert}
                    - {name: a, when: queue_p9 > 0.5, action: alert}
                    - {name: b, when: queue_p9 > 0.5, action: alert}
                    - {name: c, when: memory_ratio => 0.5, action: {scal: {}}}
                    - {name: d, when: memory_ratio > 0.5 and queue_p95 > 1, action: {alert: {}, shard: {}}}
                    - {name: e, when: cost_per_inference > 0.03, action: {quantize: {maxQualityLoss: 2%}}}
                    - {name: f, when: queue_p95 >, action: {}}
                    - {name: g, when: "> 1", action: teleport}
                    - {name: h, when: queue_p95 1, action: [alert]}
                """,
            expected: [
                "p.yaml:9: spec.rules[a].name repeats the rule defined at line 8; give each rule its own name.",
                "p.yaml:10: spec.rules[b].when reads signal queue_p9, which is not defined; did you mean queue_p95?",
                "p.yaml:11: spec.rules[c].when (`memory_ratio => 0.5`) is not a comparison such as `queue_p95 > 0.5`: `=>` is not an operator; use >, >=, <, <=, == or !=.",
                "p.yaml:11: spec.rules[c].action `scal` is not an action; did you mean scale?",
                "p.yaml:12: spec.rules[d].when (`memory_ratio > 0.5 and queue_p95 > 1`) is not a comparison such as `queue_p95 > 0.5`: `and` cannot combine comparisons here; write `all:` or `any:` with a list of comparisons.",
                "p.yaml:12: spec.rules[d].action names alert, shard; write exactly one of scale, shard, quantize, alert or rollout, such as `{scale: {target: 0.5}}`.",
                "p.yaml:13: spec.rules[e].when reads cost_per_inference, which needs a price; add `price: {perReplicaHour: 4.0, currency: CNY}` under spec.",
                "p.yaml:13: spec.rules[e].action.quantize.to is missing; add `to: q4_0` under spec.rules[e].action.quantize.",
                "p.yaml:13: spec.rules[e].action.quantize.maxQualityLoss is a fraction, not a percentage; write 0.02 for 2%.",
                "p.yaml:14: spec.rules[f].when (`queue_p95 >`) is not a comparison such as `queue_p95 > 0.5`: a number must follow the operator.",
                "p.yaml:14: spec.rules[f].action is empty; write exactly one of scale, shard, quantize, alert or rollout, such as `{scale: {target: 0.5}}`.",
                "p.yaml:15: spec.rules[g].when (`> 1`) is not a comparison such as `queue_p95 > 0.5`: it must start with a signal name.",
                "p.yaml:15: spec.rules[g].action `teleport` is not an action; write exactly one of scale, shard, quantize, alert or rollout, such as `{scale: {target: 0.5}}`.",
                "p.yaml:16: spec.rules[h].when (`queue_p95 1`) is not a comparison such as `queue_p95 > 0.5`: a comparison operator (>, >=, <, <=, ==, !=) must follow the signal name.",
                "p.yaml:16: spec.rules[h].action must be exactly one of scale, shard, quantize, alert or rollout, such as `{scale: {target: 0.5}}`, not a list.",
            ]),
        ErrorCase(
            name: "action payloads",
            yaml: """
                  target: {model: m}
                  signals: {a: max(x), b: max(y)}
                  rules:
                    - name: r
                      when: {all: [a > 1, b > 2]}
                      action: {scale: {target: 1}}
                    - name: s
                      when: {any: []}
                      action: {scale: {signal: zz}}
                    - name: t
                      when: a > 1
                      action: {alert: {webhook: ftp://x, severity: loud}}
                    - name: u
                      when: {all: [a > 1], none: [b > 1]}
                      action: {rollout: {}}
                    - name: v
                      when: a > 1
                      action: {shard: {factor: 16}, }
                    - name: w
                      when: a > 1
                      action: {scale: {target: 0}}
                """,
            expected: [
                "p.yaml:10: spec.rules[r].action.scale.signal is missing and the rule reads several signals (a, b); add `signal: <name>` to say which one the replica count follows.",
                "p.yaml:12: spec.rules[s].when.any must be a non-empty list of conditions such as `[gpu_util > 0.8, queue_depth > 50]`, not an empty list.",
                "p.yaml:13: spec.rules[s].action.scale.signal names signal zz, which is not defined; name one of a, b.",
                "p.yaml:16: spec.rules[t].action.alert.severity (`loud`) is not one of info, warning, critical; write one of them.",
                "p.yaml:18: spec.rules[u].when.none is not a known field; fields in spec.rules[u].when are all, any.",
                "p.yaml:19: spec.rules[u].action.rollout.operation is missing; add `operation: rollback` under spec.rules[u].action.rollout.",
                "p.yaml:22: spec.rules[v].action.shard.factor (16) is above maxShards (8); lower factor or raise maxShards.",
                "p.yaml:25: spec.rules[w].action.scale.target (0) must be above 0 because the replica formula divides by it; write the value each replica should settle at, such as 0.5.",
            ]),
        ErrorCase(
            name: "scale targets in the wrong unit",
            yaml: """
                  target: {model: m}
                  signals:
                    util: {query: avg(x), unit: ratio}
                    lat: {metric: request_duration_seconds}
                  rules:
                    - {name: a, when: util > 80%, action: {scale: {target: 70}}}
                    - {name: b, when: lat > 1s, action: {scale: {target: 800}}}
                """,
            expected: [
                "p.yaml:10: spec.rules[a].action.scale.target: util is a ratio from 0 to 1; 70 can never be reached; write 0.7 or 70%.",
                "p.yaml:11: spec.rules[b].action.scale.target: lat is in seconds; 800 means 800 s; write 800ms or 0.8.",
            ]),
        ErrorCase(
            name: "webhook scheme",
            yaml: """
                  target: {model: m}
                  signals: {a: max(x)}
                  rules: [{name: t, when: a > 1, action: {alert: {webhook: ftp://x}}}]
                """,
            expected: [
                "p.yaml:7: spec.rules[t].action.alert.webhook (`ftp://x`) must be an http:// or https:// URL."
            ]),
        ErrorCase(
            name: "invalid PromQL and placeholders",
            yaml: """
                  target: {model: m, engine: llamacpp}
                  signals:
                    a: sum(rate(x[1m])
                    b: "sum(x)) + 1"
                    c: histogram_quantile(0.9, ${time_to_first_token_seconds}_bucket)
                    d: max(${kv_cache_usage})
                    e: max(x) +
                    f: {metric: queue_wait_seconds}
                    g: {metric: running_requests, quantile: 0.5}
                    h: {cost: cost_per_inference}
                    i: {foo: 1}
                    j-k: max(x)
                    l: "max(x{a=\\"b)"
                    m: max(x) ; max(y)
                    n: "max(${waiting_requests)"
                """,
            expected: [
                "p.yaml:7: spec.signals.a is not valid PromQL: column 16: expected \")\" closing sum( but found end of input.",
                "p.yaml:8: spec.signals.b is not valid PromQL: column 7: unexpected \")\" after a complete expression.",
                "p.yaml:9: spec.signals.c: ${time_to_first_token_seconds} has no equivalent on engine llamacpp: llama-server exports no latency histograms, only the counters llamacpp:prompt_seconds_total and llamacpp:tokens_predicted_seconds_total; watch ${waiting_requests} (llamacpp:requests_deferred) instead.",
                "p.yaml:10: spec.signals.d: ${kv_cache_usage} is not a known metric placeholder; did you mean ${kv_cache_usage_ratio}? known placeholders are ${queue_wait_seconds}, ${time_to_first_token_seconds}, ${inter_token_latency_seconds}, ${request_duration_seconds}, ${kv_cache_usage_ratio}, ${running_requests}, ${waiting_requests}, ${generated_tokens_total}, ${prompt_tokens_total}, ${requests_total}, ${accelerator_memory_used_bytes}, ${accelerator_memory_total_bytes}.",
                "p.yaml:11: spec.signals.e is not valid PromQL: column 9: unexpected end of input; a metric name, number, string, function call or \"(\" is needed here.",
                "p.yaml:12: spec.signals.f.metric: queue_wait_seconds has no equivalent on engine llamacpp: llama-server exports no latency histograms, only the counters llamacpp:prompt_seconds_total and llamacpp:tokens_predicted_seconds_total; watch ${waiting_requests} (llamacpp:requests_deferred) instead.",
                "p.yaml:13: spec.signals.g.quantile applies to histograms only; running_requests is a gauge; remove it.",
                "p.yaml:14: spec.signals.h.cost (cost_per_inference) needs a price; add `price: {perReplicaHour: 4.0, currency: CNY}` under spec.",
                "p.yaml:15: spec.signals.i must be a PromQL string, `{cost: cost_per_inference}` or `{metric: queue_wait_seconds, quantile: 0.95}`.",
                "p.yaml:16: spec.signals.j-k: signal names are letters, digits and '_', starting with a letter, so rules can name them; write for example `j_k`.",
                "p.yaml:17: spec.signals.l is not valid PromQL: column 9: unterminated string; close it with \".",
                "p.yaml:18: spec.signals.m is not valid PromQL: column 8: unexpected character \";\".",
                "p.yaml:19: spec.signals.n: the placeholder starting with ${ has no closing }; write ${name}.",
            ]),
        ErrorCase(
            name: "rollout, behavior and deployment",
            yaml: """
                  target: {model: m}
                  rollout:
                    steps: [5, 50, 25]
                    interval: 1h
                    analysis: {maxErrorRate: 1.5, maxP95: 1000, maxKL: -1}
                  behavior:
                    scaleDown:
                      stabilizationWindow: 2h
                      policies: [{type: Pod, value: 0, period: 1h}]
                      selectPolicy: max
                    tolerance: 1.5
                    panic: maybe
                  deployment:
                    port: 70000
                    keda: yes
                    namespace: Prod
                """,
            expected: [
                "p.yaml:7: spec.rollout.steps is not ascending (25 follows 50); list each percentage once, smallest first.",
                "p.yaml:9: spec.rollout.analysis.maxErrorRate (1.5) is above 1; write 1 or less.",
                "p.yaml:9: spec.rollout.analysis.maxP95 (1000) has no unit; write 1000ms or 1000s.",
                "p.yaml:9: spec.rollout.analysis.maxKL (-1) is negative; write 0 or more.",
                "p.yaml:12: spec.behavior.scaleDown.stabilizationWindow (2h) is above Kubernetes' limit of 1h; write 1h or less.",
                "p.yaml:13: spec.behavior.scaleDown.policies[0].type (`Pod`) is not one of Pods, Percent; did you mean Pods?",
                "p.yaml:13: spec.behavior.scaleDown.policies[0].value (0) is below 1; write 1 or more.",
                "p.yaml:13: spec.behavior.scaleDown.policies[0].period (1h) must be between 1s and 30m, Kubernetes' limits.",
                "p.yaml:14: spec.behavior.scaleDown.selectPolicy (`max`) is not one of Max, Min, Disabled; did you mean Max?",
                "p.yaml:15: spec.behavior.tolerance (1.5) must be below 1: the replica formula ignores ratios within 1 ± tolerance, so at 1 or more the fleet would never scale down; write 0.1, Kubernetes' default, or another fraction below 1.",
                "p.yaml:16: spec.behavior.panic must be true or false, not `maybe`.",
                "p.yaml:18: spec.deployment.port (70000) is above 65535; write 65535 or less.",
                "p.yaml:19: spec.deployment.keda must be true or false, not `yes`.",
                "p.yaml:20: spec.deployment.namespace (`Prod`) must be a Kubernetes name: lowercase letters, digits and '-'.",
            ]),
        ErrorCase(
            name: "rollout steps",
            yaml: """
                  target: {model: m}
                  rollout: {steps: [5, 25, 50], total: 48h, interval: 1h}
                """,
            expected: [
                "p.yaml:6: spec.rollout.steps ends at 50, not 100; add 100 as the last step.",
                "p.yaml:6: spec.rollout has both interval and total; keep one (total is spread evenly over the steps before 100).",
            ]),
        ErrorCase(
            name: "rollout step out of range",
            yaml: """
                  target: {model: m}
                  rollout: {steps: [0, 100]}
                """,
            expected: [
                "p.yaml:6: spec.rollout.steps holds 0; every step is a percentage from 1 to 100."
            ]),
        ErrorCase(
            name: "neutral signal options",
            yaml: """
                  target: {model: m}
                  signals:
                    a: {metric: queue_wait_seconds, aggregate: max}
                    b: {metric: running_requests, window: 1m}
                    c: {metric: queue_wait_seconds, quantile: 1.5}
                    d: {metric: queue_wait, quantile: 0.5}
                    e: {metric: generated_tokens_total, window: 100ms}
                    f: {query: "max(x)", unit: furlongs}
                    g: {cost: cost_per_hour}
                """,
            expected: [
                "p.yaml:7: spec.signals.a.aggregate does not apply to histogram queue_wait_seconds; write `quantile: 0.95` instead.",
                "p.yaml:8: spec.signals.b.window applies to histograms and counters only; running_requests is a gauge; remove it.",
                "p.yaml:9: spec.signals.c.quantile (1.5) is above 1; write 1 or less.",
                "p.yaml:10: spec.signals.d.metric (`queue_wait`) is not one of queue_wait_seconds, time_to_first_token_seconds, inter_token_latency_seconds, request_duration_seconds, kv_cache_usage_ratio, running_requests, waiting_requests, generated_tokens_total, prompt_tokens_total, requests_total, accelerator_memory_used_bytes, accelerator_memory_total_bytes; did you mean queue_wait_seconds?",
                "p.yaml:11: spec.signals.e.window (100ms) is shorter than a scrape; write 1m or more.",
                "p.yaml:12: spec.signals.f.unit (`furlongs`) is not one of seconds, ratio, percent, tokens, requests, bytes; write one of them.",
                "p.yaml:13: spec.signals.g.cost (`cost_per_hour`) is not one of cost_per_inference, cost_per_1k_tokens; write one of them.",
            ]),
        ErrorCase(
            name: "unavailable neutral metric",
            yaml: """
                  target: {model: m, engine: vllm}
                  signals:
                    mem: max(${accelerator_memory_used_bytes})
                """,
            expected: [
                "p.yaml:7: spec.signals.mem: ${accelerator_memory_used_bytes} has no equivalent on engine vllm: vLLM reserves accelerator memory up front (--gpu-memory-utilization) and exports no memory gauges; use the KV-cache ratio ${kv_cache_usage_ratio} or DCGM's DCGM_FI_DEV_FB_USED."
            ]),
        ErrorCase(
            name: "panic block and scaling policies",
            yaml: """
                  target: {model: m}
                  behavior:
                    panic: {window: 0s, threshold: 0.5}
                    scaleUp: {policies: []}
                    startupGrace: -5m
                """,
            expected: [
                "p.yaml:7: spec.behavior.panic.threshold (0.5) must be from 1.1 to 10, Knative's bounds: panic starts when short-window demand reaches threshold × ready replicas, so below 1.1 it would start whenever the fleet is merely busy; write 2.0, the default.",
                "p.yaml:8: spec.behavior.scaleUp.policies is empty, so the fleet would never scale up; remove `policies` to keep Kubernetes' default (100 % per 15s or 4 pods per 15s), list at least one such as `{type: Pods, value: 4, period: 15s}`, or write `selectPolicy: Disabled` to turn scaling up off.",
                "p.yaml:9: spec.behavior.startupGrace (-5m) is negative; durations are 0 or more, such as 10m.",
            ]),
        ErrorCase(
            name: "deployment types",
            yaml: """
                  target: {model: m}
                  deployment:
                    args: --model
                    gpusPerReplica: 1.5
                    image: ""
                    cpuUtilizationTarget: 170
                    gpuUtilizationMetric: [a]
                """,
            expected: [
                "p.yaml:7: spec.deployment.args must be a list such as `[--threads, \"4\"]`, not `--model`.",
                "p.yaml:8: spec.deployment.gpusPerReplica must be a whole number such as 1, not `1.5`.",
                "p.yaml:9: spec.deployment.image is empty; write for example `image: ballast/worker:latest`.",
                "p.yaml:10: spec.deployment.cpuUtilizationTarget (170) is above 100; write 100 or less.",
                "p.yaml:11: spec.deployment.gpuUtilizationMetric must be a single value such as `DCGM_FI_DEV_GPU_UTIL`, not a list.",
            ]),
        ErrorCase(
            name: "deployment quantities and metric names",
            yaml: """
                  target: {model: m}
                  deployment:
                    cpu: two
                    memory: 4GB
                    gpuUtilizationMetric: gpu-util
                """,
            expected: [
                "p.yaml:7: spec.deployment.cpu (`two`) is not a Kubernetes quantity; write a number with an optional suffix such as 2, 500m (CPU) or 4Gi (memory).",
                "p.yaml:8: spec.deployment.memory (`4GB`) is not a Kubernetes quantity; write a number with an optional suffix such as 2, 500m (CPU) or 4Gi (memory).",
                "p.yaml:9: spec.deployment.gpuUtilizationMetric (`gpu-util`) is not a metric name; write a name such as DCGM_FI_DEV_GPU_UTIL (letters, digits, '_' and ':').",
            ]),
    ]

    @Test(arguments: specCases)
    func specProblemsAreExact(_ testCase: ErrorCase) {
        #expect(Support.problems(Self.header + testCase.yaml) == testCase.expected)
    }

    static let fileCases: [ErrorCase] = [
        ErrorCase(
            name: "empty file", yaml: "",
            expected: [
                "p.yaml: the file is empty; a policy starts with `apiVersion: ballast/v1` and `kind: Policy`."
            ]),
        ErrorCase(
            name: "only a comment", yaml: "# nothing yet\n",
            expected: [
                "p.yaml: the file is empty; a policy starts with `apiVersion: ballast/v1` and `kind: Policy`."
            ]),
        ErrorCase(
            name: "wrong header",
            yaml: """
                apiVersion: ballast/v2
                kind: Polcy
                metadata: {name: Prod_1}
                spec: {target: {model: m}}
                """,
            expected: [
                "p.yaml:1: apiVersion (`ballast/v2`) is not supported; write `apiVersion: ballast/v1`.",
                "p.yaml:2: kind (`Polcy`) is not supported; write `kind: Policy`.",
                "p.yaml:3: metadata.name (`Prod_1`) must be a Kubernetes name: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters; write for example `prod-1`.",
            ]),
        ErrorCase(
            name: "YAML syntax error",
            yaml: """
                apiVersion: ballast/v1
                kind: Policy
                metadata: {name: prod
                spec:
                  target: {model: m}
                """,
            expected: [
                "p.yaml:4: YAML syntax error at column 5: while parsing a flow mapping at line 3, did not find expected ',' or '}'; check indentation, quoting and brackets on this line."
            ]),
        ErrorCase(
            name: "tab indentation", yaml: "apiVersion: ballast/v1\nkind: Policy\nspec:\n\ttarget: {model: m}\n",
            expected: [
                "p.yaml:4: YAML syntax error at column 1: while scanning for the next token at line 4, found character that cannot start any token; check indentation, quoting and brackets on this line."
            ]),
        ErrorCase(
            name: "duplicate key",
            yaml: """
                apiVersion: ballast/v1
                kind: Policy
                metadata: {name: prod}
                spec:
                  target: {model: m}
                  target: {model: n}
                """, expected: ["p.yaml:5: the key target appears twice in one mapping; keep one."]),
        ErrorCase(
            name: "missing fields",
            yaml: """
                apiVersion: ballast/v1
                kind: Policy
                spec:
                  target: {minReplicas: 1}
                  rules:
                    - when: x > 1
                """,
            expected: [
                "p.yaml:1: metadata is missing; add `metadata: {name: my-model}` at the top of the file.",
                "p.yaml:4: spec.target.model is missing; add `model: my-model` under spec.target.",
                "p.yaml:6: spec.rules[0].name is missing; add `name: queue-time` under spec.rules[0].",
                "p.yaml:6: spec.rules[0].when reads signal x, which is not defined; add it under spec.signals or use one of cost_per_inference, cost_per_1k_tokens.",
                "p.yaml:6: spec.rules[0].action is missing; add `action: {scale: {target: 0.5}}` under spec.rules[0].",
            ]),
        ErrorCase(
            name: "a list instead of a policy", yaml: "- a\n- b\n",
            expected: [
                "p.yaml:1: the top level of a policy file must be a mapping of fields such as `apiVersion: ballast/v1`, not a list."
            ]),
        ErrorCase(
            name: "a bare word", yaml: "policy",
            expected: [
                "p.yaml:1: the top level of a policy file must be a mapping of fields such as `apiVersion: ballast/v1`, not `policy`."
            ]),
        ErrorCase(
            name: "two documents", yaml: "apiVersion: ballast/v1\n---\nkind: Policy\n",
            expected: [
                "p.yaml:2: YAML syntax error at column 1: expected a single document in the stream at line 1, but found another document; check indentation, quoting and brackets on this line."
            ]),
        ErrorCase(
            name: "unknown top-level key and rules not a list",
            yaml: """
                apiVersion: ballast/v1
                kind: Policy
                metadata: {name: prod, labels: {a: b}}
                spek: {}
                spec:
                  target: {model: m}
                  rules: {name: a}
                """,
            expected: [
                "p.yaml:3: metadata.labels is not a known field; fields in metadata are name.",
                "p.yaml:4: spek is not a known field; did you mean spec?",
                "p.yaml:7: spec.rules must be a list of rules (`- {name: queue-time, when: queue_p95 > 0.5, action: {scale: {}}}`), not a mapping.",
            ]),
    ]

    /// Odd inputs: each gives problems with a location, never a crash.
    static let oddCases: [ErrorCase] = [
        ErrorCase(
            name: "deep nesting", yaml: String(repeating: "[", count: 5000),
            expected: [
                "p.yaml:1: brackets or indentation nest deeper than the YAML reader allows at column 1; a policy needs a few levels, so look for unclosed [ or {."
            ]),
        ErrorCase(
            name: "huge duration",
            yaml: header + """
                  target: {model: m}
                  signals: {a: max(x)}
                  rules: [{name: r, when: a > 1, for: 99999999999999999999999999d, action: alert}]
                """,
            expected: [
                "p.yaml:7: spec.rules[r].for (99999999999999999999999999d) is longer than 10 years; write a shorter duration such as 30s."
            ]),
        ErrorCase(
            name: "overflowing threshold",
            yaml: header + """
                  target: {model: m}
                  signals: {a: max(x)}
                  rules: [{name: r, when: a > 1e400, action: alert}]
                """,
            expected: [
                "p.yaml:7: spec.rules[r].when: `1e400` is not a number; write a number such as 0.5, a duration such as 500ms, or a percentage such as 85%."
            ]),
        ErrorCase(
            name: "huge replica count", yaml: header + "  target: {model: m, maxReplicas: 99999999999999999999999}",
            expected: [
                "p.yaml:5: spec.target.maxReplicas must be a whole number such as 10, not `99999999999999999999999`."
            ]),
        ErrorCase(
            name: "not a number", yaml: header + "  target: {model: m}\n  price: {perReplicaHour: .nan, currency: CNY}",
            expected: [
                "p.yaml:6: spec.price.perReplicaHour must be a number such as 4.0, not `.nan`."
            ]),
        ErrorCase(
            name: "control characters", yaml: "\u{0}\u{1}binary",
            expected: [
                "p.yaml: the file cannot be read as YAML text: control characters are not allowed; save it as UTF-8 without control characters."
            ]),
        ErrorCase(
            name: "a list as a key",
            yaml: "? [a]\n: b\napiVersion: ballast/v1\nkind: Policy\nmetadata: {name: x}\nspec: {target: {model: m}}\n",
            expected: ["p.yaml:1: the top level has a key that is a list; keys must be plain names."]),
        ErrorCase(
            name: "anchors and aliases are followed", yaml: header + "  target: &t {model: m}\n  deployment: *t\n",
            expected: [
                "p.yaml:5: spec.deployment.model is not a known field; fields in spec.deployment are namespace, image, args, port, gpusPerReplica, cpu, memory, cpuUtilizationTarget, gpuUtilizationMetric, gpuUtilizationTarget, keda."
            ]),
    ]

    @Test(arguments: oddCases)
    func oddInputsGiveProblems(_ testCase: ErrorCase) {
        #expect(Support.problems(testCase.yaml) == testCase.expected)
    }

    @Test(arguments: fileCases)
    func fileProblemsAreExact(_ testCase: ErrorCase) {
        #expect(Support.problems(testCase.yaml) == testCase.expected)
    }

    @Test func problemsCarryFieldAndColumn() throws {
        let yaml = Self.header + "  target:\n    model: m\n    minReplicas: x\n"
        let error = #expect(throws: PolicyFileError.self) { try PolicyLoader.parse(yaml, file: "policies/prod.yaml") }
        let problem = try #require(error?.problems.first)
        #expect(problem.field == "spec.target.minReplicas")
        #expect(problem.location == SourceLocation(file: "policies/prod.yaml", line: 7, column: 18))
        #expect(
            error?.description
                == "policies/prod.yaml:7: spec.target.minReplicas must be a whole number such as 1, not `x`.")
    }
}

extension PolicyErrorTests {
    /// Signals are checked against the target's engine even when another target field is wrong.
    @Test func signalsUseTheEngineOfAFaultyTarget() {
        let problems = Support.problems(
            Self.header + "  target: {model: m, engine: llamacpp, minReplicas: 5, maxReplicas: 2}\n"
                + "  signals:\n    t: max(${time_to_first_token_seconds})\n")
        #expect(problems.count == 2)
        #expect(
            problems.last?.hasPrefix(
                "p.yaml:7: spec.signals.t: ${time_to_first_token_seconds} has no equivalent on engine llamacpp") == true
        )
    }

    @Test func unquotedPlaceholderInAFlowMappingGetsAHint() {
        let problems = Support.problems(
            Self.header + "  target: {model: m}\n  signals: {t: max(${running_requests}), u: max(x)}\n")
        #expect(
            problems == [
                "p.yaml:6: a ${placeholder} inside { } ends the mapping early; quote the query, as in `kv: \"max(${kv_cache_usage_ratio})\"`, or write the signal on its own line."
            ])
    }

    /// Units come from the alias table for names that do not spell them out.
    @Test(arguments: [
        (
            "histogram_quantile(0.95, sum by (le) (rate(tgi_request_duration_bucket[5m])))", "lat",
            "is in seconds; 500 means 500 s"
        ),
        ("max(vllm:gpu_cache_usage_perc)", "lat", "is a ratio from 0 to 1; 500 can never be crossed"),
        ("max(sglang:token_usage)", "lat", "is a ratio from 0 to 1; 500 can never be crossed"),
    ])
    func unitsFromTheAliasTable(query: String, signal: String, phrase: String) {
        let problems = Support.problems(
            Self.header + "  target: {model: m}\n  signals:\n    lat: \(query)\n"
                + "  rules: [{name: r, when: lat > 500, action: alert}]\n")
        #expect(problems.count == 1)
        #expect(problems.first?.contains("spec.rules[r].when: \(signal) \(phrase)") == true, "\(problems)")
    }
}
