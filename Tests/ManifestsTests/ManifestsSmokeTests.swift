import Testing
@testable import Manifests

struct ManifestsSmokeTests {
    @Test func moduleLinks() { #expect(Bool(true)) }
}
