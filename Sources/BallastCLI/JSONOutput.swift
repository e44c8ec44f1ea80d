import Foundation

/// How `--json` output is written: sorted keys, unescaped slashes, and non-finite numbers as strings, since JSON has
/// no NaN (a statistic of nothing) and a run should not fail over one.
enum JSONOutput {
    /// One line of JSON, for programs that read line by line.
    static func line(_ value: some Encodable) throws -> String {
        String(decoding: try encoder(pretty: false).encode(value), as: UTF8.self)
    }

    /// Indented JSON ending in a newline, for documents people may also read.
    static func document(_ value: some Encodable) throws -> String {
        String(decoding: try encoder(pretty: true).encode(value), as: UTF8.self) + "\n"
    }

    private static func encoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }
}
