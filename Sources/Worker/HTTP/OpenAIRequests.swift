import Foundation

/// `prompt` of a completion request: text, a one-element list of texts, or token ids.
enum PromptInput: Decodable, Sendable {
    case text(String)
    case tokens([Int])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else if let texts = try? container.decode([String].self) {
            guard texts.count == 1 else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "give one prompt per request (got \(texts.count))")
            }
            self = .text(texts[0])
        } else if let tokens = try? container.decode([Int].self) {
            self = .tokens(tokens)
        } else if let lists = try? container.decode([[Int]].self), lists.count == 1 {
            self = .tokens(lists[0])
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected a string, a list of one string, or a list of token ids")
        }
    }
}

/// `stop`: one text or a list of up to 4.
struct StopInput: Decodable, Sendable {
    let sequences: [String]

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let one = try? container.decode(String.self) {
            sequences = [one]
        } else {
            sequences = try container.decode([String].self)
        }
    }
}

/// `stream_options`.
struct StreamOptions: Decodable, Sendable {
    let include_usage: Bool?
}

/// The body of `POST /v1/completions`.
struct CompletionBody: Decodable, Sendable {
    let model: String?
    let prompt: PromptInput
    let max_tokens: Int?
    let temperature: Double?
    let top_p: Double?
    let top_k: Int?
    let stop: StopInput?
    let seed: UInt64?
    let logprobs: Int?
    let stream: Bool?
    let stream_options: StreamOptions?
    let n: Int?
    let echo: Bool?
    /// llama.cpp's extension: never end at end of text.
    let ignore_eos: Bool?
}

/// One chat message; `content` is text or a list of text parts.
struct ChatMessageBody: Decodable, Sendable {
    let role: String
    let content: String

    private enum CodingKeys: String, CodingKey { case role, content }
    private struct Part: Decodable { let type: String; let text: String? }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        role = try container.decode(String.self, forKey: .role)
        if let text = try? container.decode(String.self, forKey: .content) {
            content = text
        } else if let parts = try? container.decode([Part].self, forKey: .content) {
            guard parts.allSatisfy({ $0.type == "text" }) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .content, in: container, debugDescription: "only text parts are supported")
            }
            content = parts.compactMap(\.text).joined()
        } else if try container.decodeNil(forKey: .content) {
            content = ""
        } else {
            throw DecodingError.dataCorruptedError(
                forKey: .content, in: container, debugDescription: "expected a string or a list of text parts")
        }
    }
}

/// The body of `POST /v1/chat/completions`.
struct ChatBody: Decodable, Sendable {
    let model: String?
    let messages: [ChatMessageBody]
    let max_tokens: Int?
    let max_completion_tokens: Int?
    let temperature: Double?
    let top_p: Double?
    let top_k: Int?
    let stop: StopInput?
    let seed: UInt64?
    let logprobs: Bool?
    let top_logprobs: Int?
    let stream: Bool?
    let stream_options: StreamOptions?
    let n: Int?
    /// llama.cpp's extension: never end at end of text.
    let ignore_eos: Bool?
}

extension DecodingError {
    /// A sentence naming the JSON field and what was wrong, for a 400 answer.
    var sentence: String {
        func path(_ codingPath: [any CodingKey]) -> String {
            let text = codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "the body" : "`" + text.drop(while: { $0 == "." }) + "`"
        }
        switch self {
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.isEmpty ? "the body" : path(context.codingPath)
            return "The field `\(key.stringValue)` is missing from \(parent); add it."
        case .typeMismatch(let type, let context):
            return "The field \(path(context.codingPath)) has the wrong type; expected \(Self.name(of: type))."
        case .valueNotFound(let type, let context):
            return "The field \(path(context.codingPath)) is null; expected \(Self.name(of: type))."
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return "The body is not valid JSON; send a JSON object such as {\"prompt\": \"Hello\"}."
            }
            return "The field \(path(context.codingPath)) is invalid: \(context.debugDescription)."
        @unknown default:
            return "The body could not be read as a request; check it against the OpenAI API reference."
        }
    }

    private static func name(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is UInt64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: "\(type)"
        }
    }
}
