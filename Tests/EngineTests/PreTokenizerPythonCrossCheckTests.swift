import Foundation
import Testing

@testable import Engine

/// Our pre-tokenizer splits against Python's `regex` module (the engine Hugging Face's reference tokenizer
/// scripts use) running the same expressions with llama.cpp's split rule.
struct PreTokenizerPythonCrossCheckTests {
    /// Reads patterns and texts as JSON from a file, prints the pieces of every text as JSON.
    static let script = """
        import json, sys, regex
        job = json.load(open(sys.argv[1], encoding='utf-8'))
        def split(patterns, text):
            pieces = [text]
            for p in patterns:
                out = []
                for piece in pieces:
                    start = 0
                    for m in regex.finditer(p, piece):
                        if m.end() == m.start(): continue
                        if start < m.start(): out.append(piece[start:m.start()])
                        out.append(m.group()); start = m.end()
                    if start < len(piece): out.append(piece[start:])
                pieces = out
            return pieces
        print(json.dumps({'pieces': [split(job['patterns'], t) for t in job['texts']]}))
        """

    static let texts =
        TokenizerTests.roundTripTexts + [
            "Ünïcödé wörds, ÀÉÎ and ﬁ ligature; ٢٣ Arabic digits; ½ ⅓ Ⅻ",
            "tabs\t\tand\u{00A0}no-break\u{2003}em space\u{3000}ideographic",
            "'s's 'S 'll'LL''d",
            "<|im_start|>user\nHi!<|im_end|>",
        ]

    @Test(
        .enabled(if: PythonRunner.regexAvailable, "needs python3 with the regex package"),
        arguments: PreTokenizer.allCases)
    func splitsMatchPythonRegex(pre: PreTokenizer) async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("job.json")
        let job: [String: Any] = ["patterns": pre.patterns, "texts": Self.texts]
        try JSONSerialization.data(withJSONObject: job).write(to: URL(fileURLWithPath: path))
        let json = try await PythonRunner.json(Self.script, [path])
        let expected = try #require(json["pieces"] as? [[String]])
        let splitter = try PreTokenizerSplitter(pre)
        for (text, pieces) in zip(Self.texts, expected) {
            #expect(splitter.split(text[...]).map(String.init) == pieces, "\(pre.rawValue): \(text.debugDescription)")
        }
    }
}
