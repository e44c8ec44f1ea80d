import Manifests
import Testing
import Yams

struct YAMLEmitterTests {
    /// Strings YAML 1.1 or 1.2 would read as something else are quoted; the rest stay plain.
    @Test(arguments: [
        ("on", "\"on\""), ("Yes", "\"Yes\""), ("NO", "\"NO\""), ("off", "\"off\""), ("y", "\"y\""), ("n", "\"n\""),
        ("true", "\"true\""), ("null", "\"null\""), ("~", "\"~\""), ("", "\"\""),
        ("1.0", "\"1.0\""), ("08", "\"08\""), ("8080", "\"8080\""), ("0x1F", "\"0x1F\""), ("1e3", "\"1e3\""),
        ("2026-11-23", "\"2026-11-23\""), ("12:30", "\"12:30\""), (".inf", "\".inf\""), ("-1", "\"-1\""),
        ("+1", "\"+1\""),
        ("-", "\"-\""), ("- item", "\"- item\""), ("---", "\"---\""), ("*ref", "\"*ref\""), ("&anchor", "\"&anchor\""),
        ("!tag", "\"!tag\""), ("{a}", "\"{a}\""), ("[a]", "\"[a]\""), ("#x", "\"#x\""), ("@x", "\"@x\""),
        ("%x", "\"%x\""),
        ("a: b", "\"a: b\""), ("a #b", "\"a #b\""), ("key:", "\"key:\""), (" lead", "\" lead\""),
        ("trail ", "\"trail \""),
        ("say \"hi\"\\", "say \"hi\"\\"), ("tab\there", "\"tab\\there\""), ("bell\u{7}", "\"bell\\x07\""),
        ("=", "\"=\""), ("<<", "\"<<\""),
        ("r1-7b", "r1-7b"), ("--model", "--model"), ("ballast/worker:latest", "ballast/worker:latest"),
        ("http://prometheus:9090", "http://prometheus:9090"), ("/metrics", "/metrics"), ("v1", "v1"),
        ("sum(rate(x{model=\"a\"}[5m])) > 0.9", "sum(rate(x{model=\"a\"}[5m])) > 0.9"), ("onion", "onion"),
        ("模型", "模型"),
    ])
    func scalarQuoting(text: String, written: String) throws {
        let yaml = YAMLNode.map(["k": .string(text)]).emit()
        #expect(yaml == "k: \(written)\n")
        // Whatever the quoting, a YAML reader gets the exact string back.
        let parsed = try #require(try Yams.load(yaml: yaml) as? [String: Any])
        #expect(parsed["k"] as? String == text)
    }

    @Test func numbersAndBooleans() throws {
        let node = YAMLNode.map([
            "int": 42, "negative": -3, "double": .double(0.5), "whole": .double(2), "tiny": .double(1e-5), "yes": true,
            "no": false,
        ])
        #expect(
            node.emit() == "int: 42\nnegative: -3\ndouble: 0.5\nwhole: 2.0\ntiny: 1e-05\n\"yes\": true\n\"no\": false\n"
        )
        let parsed = try #require(try Yams.load(yaml: node.emit()) as? [String: Any])
        #expect(parsed["whole"] as? Double == 2)
        #expect(parsed["tiny"] as? Double == 1e-5)
        #expect(parsed["yes"] as? Bool == true)
    }

    @Test func nestedBlocksAndComments() {
        let node = YAMLNode.mapping([
            YAMLEntry("metadata", .map(["name": "x", "labels": .map([:])])),
            YAMLEntry(
                "items",
                [
                    .map(["name": "a", "ports": [8080, 9090]]),
                    .commented("second item", .map(["name": "b"])),
                    [1, 2],
                    [],
                ], comment: "two lines\nof comment"),
            YAMLEntry("omitted", .map(["present": "p", "absent": nil])),
        ])
        #expect(
            node.emit() == """
                metadata:
                  name: x
                  labels: {}
                # two lines
                # of comment
                items:
                  - name: a
                    ports:
                      - 8080
                      - 9090
                  # second item
                  - name: b
                  - - 1
                    - 2
                  - []
                omitted:
                  present: p

                """)
    }

    /// Multi-line strings become literal blocks with the chomping indicator that keeps their exact ending.
    @Test(
        arguments: [
            ("a\nb", "|-"), ("a\nb\n", "|"), ("a\nb\n\n", "|+"), ("a\n\nb\n", "|"), ("  indented\nx", nil),
            ("a\r\nb", nil),
        ] as [(String, String?)])
    func multiLineStrings(text: String, header: String?) throws {
        let yaml = YAMLNode.map(["data": .map(["policy.yaml": .string(text)])]).emit()
        if let header {
            #expect(yaml.hasPrefix("data:\n  policy.yaml: \(header)\n"))
        } else {
            #expect(yaml.hasPrefix("data:\n  policy.yaml: \""))
        }
        let parsed = try #require(try Yams.load(yaml: yaml) as? [String: [String: String]])
        #expect(parsed["data"]?["policy.yaml"] == text)
    }

    @Test func literalBlockInsideSequence() throws {
        let yaml = YAMLNode.sequence([.string("one\ntwo"), "three"]).emit()
        #expect(yaml == "- |-\n  one\n  two\n- three\n")
        #expect(try Yams.load(yaml: yaml) as? [String] == ["one\ntwo", "three"])
    }

    @Test func scalarAndEmptyDocuments() {
        #expect(YAMLNode.string("on").emit() == "\"on\"\n")
        #expect(YAMLNode.mapping([]).emit() == "{}\n")
        #expect(YAMLNode.sequence([]).emit() == "[]\n")
    }
}
