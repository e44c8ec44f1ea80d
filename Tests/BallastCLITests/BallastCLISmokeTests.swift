import Testing
@testable import BallastCLI

struct BallastCLISmokeTests {
    @Test func moduleLinks() { #expect(Bool(true)) }
}
