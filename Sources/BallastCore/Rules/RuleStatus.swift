/// Where a rule stands after one evaluation.
public enum RuleStatus: Hashable, Sendable {
    /// The condition does not hold.
    case inactive
    /// The condition holds but not yet for the rule's `for:` duration.
    case pending(since: Timestamp, remaining: Duration)
    /// The condition has held long enough; the rule acts.
    case firing
    /// A reading the rule needs is unavailable; the rule keeps its last decision. The reason says which and why.
    case held(reason: String)
    /// The rule acted recently and stays quiet until `until`.
    case coolingDown(until: Timestamp)

    /// A short name for tables and JSON: `inactive`, `pending`, `firing`, `held`, `coolingDown`.
    public var name: String {
        switch self {
        case .inactive: "inactive"
        case .pending: "pending"
        case .firing: "firing"
        case .held: "held"
        case .coolingDown: "coolingDown"
        }
    }
}

extension RuleStatus: Codable {
    private enum CodingKeys: String, CodingKey {
        case state, since, remainingMilliseconds, reason, until
    }

    /// Decodes the flat form written by ``encode(to:)``.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let state = try container.decode(String.self, forKey: .state)
        switch state {
        case "inactive":
            self = .inactive
        case "pending":
            let since = try container.decode(Timestamp.self, forKey: .since)
            let remaining = try container.decode(Int64.self, forKey: .remainingMilliseconds)
            self = .pending(since: since, remaining: .milliseconds(remaining))
        case "firing":
            self = .firing
        case "held":
            self = .held(reason: try container.decode(String.self, forKey: .reason))
        case "coolingDown":
            self = .coolingDown(until: try container.decode(Timestamp.self, forKey: .until))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .state, in: container,
                debugDescription:
                    "Unknown rule state \"\(state)\"; expected inactive, pending, firing, held or coolingDown."
            )
        }
    }

    /// Encodes as `{"state": "pending", "since": <ms>, "remainingMilliseconds": <ms>}` and similar flat objects.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .state)
        switch self {
        case .inactive, .firing:
            break
        case .pending(let since, let remaining):
            try container.encode(since, forKey: .since)
            try container.encode(remaining.wholeMilliseconds, forKey: .remainingMilliseconds)
        case .held(let reason):
            try container.encode(reason, forKey: .reason)
        case .coolingDown(let until):
            try container.encode(until, forKey: .until)
        }
    }
}
