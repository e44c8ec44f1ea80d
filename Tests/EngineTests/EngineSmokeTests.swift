import Testing
@testable import Engine

struct EngineSmokeTests {
    @Test func moduleLinks() { #expect(Bool(true)) }
}
