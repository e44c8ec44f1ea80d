/// Why the engine refused a request; the HTTP layer maps each case to a status code.
public enum AdmissionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The queue is full (HTTP 429 with `Retry-After`).
    case queueFull(retryAfter: Duration)
    /// The worker is shutting down (HTTP 503).
    case draining
    /// The request can never fit the KV cache or the context (HTTP 400).
    case tooLarge(String)
    /// A sampling parameter is out of range (HTTP 400).
    case invalidParameters(String)

    /// A full sentence for the client.
    public var description: String {
        switch self {
        case .queueFull(let retryAfter):
            "The request queue is full; retry after \(retryAfter.components.seconds) seconds."
        case .draining: "The worker is shutting down and takes no new requests; send the request to another worker."
        case .tooLarge(let message), .invalidParameters(let message): message
        }
    }
}
