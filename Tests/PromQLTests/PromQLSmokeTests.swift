import Testing
@testable import PromQL

struct PromQLSmokeTests {
    @Test func moduleLinks() { #expect(Bool(true)) }
}
