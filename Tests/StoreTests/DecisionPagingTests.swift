import BallastCore
import Testing

/// `decisions(limit:policy:beforeID:)` pages newest first, by policy, below an id.
struct DecisionPagingTests {
    /// One query and the ids it must return, over decisions 1…9 stored for policies a, b, a, b, a, b, a, b, a.
    struct Page: Sendable, CustomTestStringConvertible {
        let kind: StoreKind
        let limit: Int
        let policy: String?
        let beforeID: Int64?
        let expected: [Int64]
        var testDescription: String {
            "\(kind): limit \(limit), policy \(policy ?? "any"), before \(beforeID.map(String.init) ?? "none")"
        }
    }

    static let pages: [Page] = StoreKind.allCases.flatMap { kind in
        [
            Page(kind: kind, limit: 100, policy: nil, beforeID: nil, expected: [9, 8, 7, 6, 5, 4, 3, 2, 1]),
            Page(kind: kind, limit: 3, policy: nil, beforeID: nil, expected: [9, 8, 7]),
            Page(kind: kind, limit: 3, policy: nil, beforeID: 7, expected: [6, 5, 4]),
            Page(kind: kind, limit: 3, policy: nil, beforeID: 2, expected: [1]),
            Page(kind: kind, limit: 3, policy: nil, beforeID: 1, expected: []),
            Page(kind: kind, limit: 3, policy: nil, beforeID: 1000, expected: [9, 8, 7]),
            Page(kind: kind, limit: 100, policy: "a", beforeID: nil, expected: [9, 7, 5, 3, 1]),
            Page(kind: kind, limit: 2, policy: "a", beforeID: nil, expected: [9, 7]),
            Page(kind: kind, limit: 2, policy: "a", beforeID: 7, expected: [5, 3]),
            Page(kind: kind, limit: 2, policy: "b", beforeID: 9, expected: [8, 6]),
            Page(kind: kind, limit: 100, policy: "b", beforeID: 3, expected: [2]),
            Page(kind: kind, limit: 100, policy: "nobody", beforeID: nil, expected: []),
            Page(kind: kind, limit: 100, policy: "", beforeID: nil, expected: []),
            Page(kind: kind, limit: 0, policy: nil, beforeID: nil, expected: []),
            Page(kind: kind, limit: -1, policy: "a", beforeID: nil, expected: []),
            Page(kind: kind, limit: 5, policy: nil, beforeID: -3, expected: []),
        ]
    }

    @Test(arguments: pages)
    func pageHoldsTheExpectedDecisions(page: Page) async throws {
        try await withTemporaryDirectory { directory in
            let store = try page.kind.make(in: directory)
            for index in 0..<9 {
                try await store.commit(
                    try Samples.tick(policy: index % 2 == 0 ? "a" : "b", time: Samples.start + .seconds(Int64(index))))
            }

            let decisions = try await store.decisions(limit: page.limit, policy: page.policy, beforeID: page.beforeID)

            #expect(decisions.map(\.id) == page.expected.map { Optional($0) })
            for decision in decisions {
                let id = try #require(decision.id)
                #expect(decision.deployment.policy == (id % 2 == 1 ? "a" : "b"))
                #expect(decision.time == Samples.start + .seconds(id - 1))
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func walkingPagesVisitsEveryDecisionOnce(kind: StoreKind) async throws {
        try await withTemporaryDirectory { directory in
            let store = try kind.make(in: directory)
            for index in 0..<23 {
                try await store.commit(try Samples.tick(time: Samples.start + .seconds(Int64(index))))
            }
            var seen: [Int64] = []
            var before: Int64?
            while true {
                let page = try await store.decisions(limit: 5, policy: "r1-7b", beforeID: before)
                if page.isEmpty { break }
                seen += page.compactMap(\.id)
                before = page.last?.id
            }
            #expect(seen == Array((1...23).reversed()))
        }
    }
}
