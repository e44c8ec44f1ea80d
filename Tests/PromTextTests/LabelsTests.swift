import PromText
import Testing

/// The shared label set: sorted by name, unique names, last one wins.
struct LabelsTests {
    @Test(arguments: [
        ([Label("b", "2"), Label("a", "1")], [Label("a", "1"), Label("b", "2")]),
        ([Label("a", "1"), Label("b", "2"), Label("a", "3")], [Label("a", "3"), Label("b", "2")]),
        ([Label("z", "9"), Label("z", "8"), Label("z", "7")], [Label("z", "7")]),
        ([], []),
    ])
    func sortsAndKeepsTheLastOfEachName(_ input: [Label], _ expected: [Label]) {
        #expect(Array(Labels(input)) == expected)
    }

    @Test func subscriptSetsAddsAndRemoves() {
        var labels: Labels = ["model": "m"]
        labels["version"] = "v1"
        labels["model"] = "n"
        #expect(Array(labels) == [Label("model", "n"), Label("version", "v1")])
        labels["model"] = nil
        #expect(Array(labels) == [Label("version", "v1")])
        #expect(labels["absent"] == nil)
    }
}
