/// Checks of the name and value syntax Kubernetes enforces, so a bad policy fails at render time with a
/// message naming the field, not later in `kubectl apply` with a message naming an object.
enum KubernetesNames {
    /// Checks an RFC 1123 label (names of Services, Namespaces, containers, ports' targets): at most
    /// `maxLength` characters, lower-case letters, digits and `-`, starting and ending alphanumeric.
    static func checkLabel(_ name: String, field: String, maxLength: Int = 63) throws(ManifestError) {
        let problem: String?
        if name.isEmpty {
            problem = "is empty"
        } else if name.count > maxLength {
            problem = "is \(name.count) characters long, more than the \(maxLength) Kubernetes allows"
        } else if !name.allSatisfy({ isLowerAlphanumeric($0) || $0 == "-" }) {
            problem = "contains characters other than lower-case letters, digits and '-'"
        } else if let first = name.first, let last = name.last,
            !isLowerAlphanumeric(first) || !isLowerAlphanumeric(last)
        {
            problem = "must start and end with a lower-case letter or digit"
        } else {
            problem = nil
        }
        if let problem {
            throw ManifestError(
                field: field,
                message: "\"\(name)\" is not a valid Kubernetes name: it \(problem); use lower-case letters, digits "
                    + "and '-' (at most \(maxLength)), such as \"\(suggestion(for: name, maxLength: maxLength))\"."
            )
        }
    }

    /// Checks a label value: at most 63 characters of letters, digits, `-`, `_` and `.`, starting and ending
    /// alphanumeric (empty is allowed by Kubernetes but we never want it).
    static func checkLabelValue(_ value: String, field: String) throws(ManifestError) {
        let allowed = value.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || "-_.".contains($0) }
        let endsOK = value.first.map(isAlphanumeric) == true && value.last.map(isAlphanumeric) == true
        if value.isEmpty || value.count > 63 || !allowed || !endsOK {
            throw ManifestError(
                field: field,
                message: "\"\(value)\" cannot be a Kubernetes label value; use 1 to 63 letters, digits, '-', '_' "
                    + "or '.', starting and ending with a letter or digit, such as \"\(suggestion(for: value, maxLength: 63))\"."
            )
        }
    }

    /// `text` made into a label value: characters Kubernetes does not allow become `-` (so Hugging Face ids
    /// such as `Qwen/Qwen2.5-14B-Instruct` become `Qwen-Qwen2.5-14B-Instruct`), cut to 63 characters and
    /// trimmed to start and end alphanumeric. `nil` when nothing is left.
    static func labelValue(from text: String) -> String? {
        let mapped = String(
            text.map { ($0.isASCII && ($0.isLetter || $0.isNumber)) || "-_.".contains($0) ? $0 : "-" }.prefix(63))
        let trimmed = mapped.drop { !isAlphanumeric($0) }.reversed().drop { !isAlphanumeric($0) }.reversed()
        return trimmed.isEmpty ? nil : String(trimmed)
    }

    /// Checks a resource quantity such as `2`, `500m`, `4Gi` or `1.5`.
    static func checkQuantity(_ text: String, field: String) throws(ManifestError) {
        if Quantity(text) == nil {
            throw ManifestError(
                field: field,
                message: "\"\(text)\" is not a Kubernetes quantity; write a number with an optional suffix "
                    + "(m, k, M, G, Ki, Mi, Gi, Ti), such as \"2\", \"500m\" or \"4Gi\"."
            )
        }
    }

    private static func isLowerAlphanumeric(_ c: Character) -> Bool {
        c.isASCII && (c.isLowercase || c.isNumber)
    }

    private static func isAlphanumeric(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber)
    }

    /// A valid name close to `name`: lower-cased, other characters turned into `-`, trimmed.
    static func suggestion(for name: String, maxLength: Int) -> String {
        var out = String(name.lowercased().map { isLowerAlphanumeric($0) ? $0 : "-" }.prefix(maxLength))
        while out.hasPrefix("-") { out.removeFirst() }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "ballast" : out
    }
}
