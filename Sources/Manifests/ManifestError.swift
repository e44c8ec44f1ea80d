/// Why a policy cannot be rendered into Kubernetes objects; ``description`` names the field and the fix.
public struct ManifestError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The policy field (or render option) at fault, as written in a policy file: `spec.target.maxReplicas`.
    public var field: String
    /// A full sentence saying what is wrong and what to write instead.
    public var message: String

    /// Creates an error.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    /// `field: message`, for example
    /// "metadata.name: "R1_7b" is not a valid Kubernetes name; use lower-case letters, digits and '-', such as "r1-7b"."
    public var description: String { "\(field): \(message)" }
}
