import Foundation

/// How records are written into and read back from JSON text columns.
///
/// Keys are sorted so the same record always gives the same text (diffable, comparable in tests). Non-finite
/// numbers are written as the strings `+Inf`, `-Inf` and `NaN`, the form ``BallastCore/SignalReading`` uses,
/// because an evaluation may legitimately carry an infinite reading or threshold and JSON has no literal for it.
enum JSONColumn {
    /// Encodes `value` as JSON text.
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Decodes JSON text written by ``encode(_:)``.
    static func decode<Value: Decodable>(_ type: Value.Type, from text: String) throws -> Value {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        return try decoder.decode(type, from: Data(text.utf8))
    }

    /// A short phrase for a decoding failure: the coding path and what was wrong.
    static func explain(_ error: any Error) -> String {
        guard let decodingError = error as? DecodingError else { return "\(error)" }
        func at(_ path: [any CodingKey]) -> String {
            let joined = path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return joined.isEmpty ? "" : " at \(joined)"
        }
        switch decodingError {
        case .dataCorrupted(let context):
            let underlying = context.underlyingError.map { ": \($0.localizedDescription)" } ?? ""
            return "invalid JSON\(at(context.codingPath)): \(context.debugDescription)\(underlying)"
        case .keyNotFound(let key, let context):
            return "the key \"\(key.stringValue)\" is missing\(at(context.codingPath))"
        case .typeMismatch(let type, let context):
            return "expected \(type)\(at(context.codingPath)): \(context.debugDescription)"
        case .valueNotFound(let type, let context):
            return "expected \(type) but found null\(at(context.codingPath))"
        @unknown default:
            return "\(decodingError)"
        }
    }
}
