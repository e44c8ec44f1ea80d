import Testing
@testable import PolicyFile

struct PolicyFileSmokeTests {
    @Test func moduleLinks() { #expect(Bool(true)) }
}
