/// One signal's value at one evaluation, or why there is none.
///
/// A reading that is not ``value(_:)`` is never read as zero: rules that depend on it hold
/// their last decision and say why, because a scrape failure that looks like "no load" would
/// scale a busy fleet down.
public enum SignalReading: Hashable, Sendable {
    /// A finite or infinite number. NaN is turned into ``missing(reason:)`` by ``normalized``.
    case value(Double)
    /// The query returned no series (no traffic yet, a label that matches nothing, NaN).
    case missing(reason: String)
    /// The newest sample is older than the staleness limit; `since` is that sample's time.
    case stale(since: Timestamp)
    /// The query failed or the target could not be reached.
    case failed(reason: String)

    /// The number, when there is one.
    public var number: Double? {
        if case .value(let number) = self { return number }
        return nil
    }

    /// NaN becomes ``missing(reason:)``: PromQL yields NaN for an empty histogram, which is "no data", not a value.
    public var normalized: SignalReading {
        if case .value(let number) = self, number.isNaN {
            return .missing(reason: "the value is NaN (for example a quantile of an empty histogram)")
        }
        return self
    }

    /// Why there is no usable number, as a phrase that follows a signal name; `nil` for a value.
    public var problem: String? {
        switch self {
        case .value(let number):
            return number.isNaN ? "is NaN" : nil
        case .missing(let reason):
            return "is missing: \(reason)"
        case .stale(let since):
            return "is stale: its newest sample is from \(since)"
        case .failed(let reason):
            return "could not be read: \(reason)"
        }
    }
}

extension SignalReading: Codable {
    private enum CodingKeys: String, CodingKey {
        case value, missing, staleSince, failed
    }

    /// Decodes the one-key form written by ``encode(to:)``.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if container.contains(.value) {
            if let number = try? container.decode(Double.self, forKey: .value) {
                self = .value(number)
                return
            }
            let text = try container.decode(String.self, forKey: .value)
            switch text {
            case "+Inf": self = .value(.infinity)
            case "-Inf": self = .value(-.infinity)
            case "NaN": self = .value(.nan)
            default:
                throw DecodingError.dataCorruptedError(
                    forKey: .value, in: container,
                    debugDescription:
                        "The value \"\(text)\" is not a number; write a number, \"+Inf\", \"-Inf\" or \"NaN\"."
                )
            }
        } else if let reason = try container.decodeIfPresent(String.self, forKey: .missing) {
            self = .missing(reason: reason)
        } else if let since = try container.decodeIfPresent(Timestamp.self, forKey: .staleSince) {
            self = .stale(since: since)
        } else if let reason = try container.decodeIfPresent(String.self, forKey: .failed) {
            self = .failed(reason: reason)
        } else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "A signal reading needs one of the keys value, missing, staleSince or failed."
                ))
        }
    }

    /// Encodes as one key: `{"value": 0.84}`, `{"missing": "…"}`, `{"staleSince": <ms>}` or `{"failed": "…"}`.
    /// Infinite and NaN values are written as the strings `+Inf`, `-Inf` and `NaN`, which JSON can carry.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .value(let number):
            if number.isFinite {
                try container.encode(number, forKey: .value)
            } else {
                try container.encode(NumberText.format(number), forKey: .value)
            }
        case .missing(let reason):
            try container.encode(reason, forKey: .missing)
        case .stale(let since):
            try container.encode(since, forKey: .staleSince)
        case .failed(let reason):
            try container.encode(reason, forKey: .failed)
        }
    }
}
