import Testing
@testable import BallastCore

struct BallastCoreSmokeTests {
    @Test func moduleLinks() { #expect(Bool(true)) }
}
