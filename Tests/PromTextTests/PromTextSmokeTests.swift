import Testing
@testable import PromText

struct PromTextSmokeTests {
    @Test func moduleLinks() { #expect(Bool(true)) }
}
