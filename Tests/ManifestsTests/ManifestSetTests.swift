import Testing
import Manifests

struct ManifestSetTests {
    @Test func rendersWorkerObjectsInApplyOrder() throws {
        let kinds = try ManifestSet.render(policy: TestPolicies.small).map(\.kind)
        #expect(kinds == ["Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceMonitor", "PrometheusRule", "PrometheusRules"])
    }
}
