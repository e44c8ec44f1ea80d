import Hummingbird

/// An error answered in OpenAI's shape: `{"error": {"message", "type", "param", "code"}}` with a status code.
struct OpenAIError: Error, Sendable {
    let status: HTTPResponse.Status
    let message: String
    let type: String
    let parameter: String?
    let code: String?
    var retryAfterSeconds: Int64?

    /// 400: the request is malformed or a field is out of range.
    static func invalid(_ message: String, parameter: String? = nil) -> OpenAIError {
        OpenAIError(status: .badRequest, message: message, type: "invalid_request_error", parameter: parameter, code: nil)
    }

    var json: JSONValue {
        .object([
            (
                "error",
                .object([
                    ("message", .string(message)), ("type", .string(type)), ("param", parameter.map(JSONValue.string) ?? .null),
                    ("code", code.map(JSONValue.string) ?? .null),
                ])
            )
        ])
    }

    var response: Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }
}
