import Foundation
import Testing

@testable import PromText

struct PageLayoutTests {
    static let page = """
        # HELP requests Requests.
        # TYPE requests counter
        requests_total{model="m",path="/a b"} 10
        requests_total{model="m",path="/c\\"d"} 20
        # TYPE depth gauge
        depth 3

        """

    static func layout(_ text: String = page) throws -> PageLayout? {
        let samples = try PromTextParser.parse(text).flatMap(\.samples)
        return PageLayout(page: Array(text.utf8), samples: samples)
    }

    @Test func readsTheValuesOfAPageWhoseSeriesAreUnchanged() throws {
        let layout = try #require(try Self.layout())
        #expect(layout.sampleCount == 3)
        let next = Self.page.replacingOccurrences(of: "} 10", with: "} 1.5e3")
            .replacingOccurrences(of: "depth 3", with: "depth NaN")
        let values = try #require(layout.values(in: Array(next.utf8)))
        #expect(values.count == 3)
        #expect(values[0] == 1500)
        #expect(values[1] == 20)
        #expect(values[2].isNaN)
    }

    @Test(arguments: [
        ("requests_total{model=\"m\",path=\"/a b\"} 10", "requests_total{model=\"n\",path=\"/a b\"} 10"),
        ("depth 3\n", "depth 3\nother 1\n"),
        ("depth 3\n", ""),
        ("# HELP requests Requests.", "# HELP requests All requests."),
        ("depth 3", "depth three"),
        ("depth 3", "depth 3 1700000000000"),
        ("depth 3", "depth  3"),
        ("depth 3\n", "depth 3"),
    ])
    func refusesAPageThatDiffersInMoreThanItsValues(original: String, changed: String) throws {
        let layout = try #require(try Self.layout())
        let next = Self.page.replacingOccurrences(of: original, with: changed)
        #expect(next != Self.page)
        #expect(layout.values(in: Array(next.utf8)) == nil)
    }

    @Test(arguments: [
        // Timestamps change every scrape: no layout.
        "a 1 1700000000000\n",
        // An exemplar after the value.
        "a 1 # {trace_id=\"x\"} 1\n",
        // Families interleaved: the parser groups `a` samples, so sample order differs from line order.
        "a{x=\"1\"} 1\nb 2\na{x=\"2\"} 3\n",
        // A name quoted inside the braces.
        "{\"a\"} 1\n",
    ])
    func hasNoLayoutForPagesItCannotReadByPosition(text: String) throws {
        #expect(try Self.layout(text) == nil)
    }

    @Test func anEmptyPageHasAnEmptyLayout() throws {
        let layout = try #require(PageLayout(page: [UInt8](), samples: []))
        #expect(layout.values(in: [UInt8]()) == [])
        #expect(layout.values(in: Array("a 1\n".utf8)) == nil)
    }
}
