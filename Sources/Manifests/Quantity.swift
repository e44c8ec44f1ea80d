/// A Kubernetes resource quantity (`500m`, `2`, `4Gi`), parsed far enough to check it and to derive numbers
/// from it, such as the worker's memory budget in bytes.
struct Quantity: Hashable, Sendable {
    /// The value in base units (cores, bytes).
    var value: Double

    private static let suffixes: [String: Double] = [
        "": 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
        "Ki": 1024, "Mi": 1_048_576, "Gi": 1_073_741_824, "Ti": 1_099_511_627_776,
        "Pi": 1_125_899_906_842_624, "Ei": 1_152_921_504_606_846_976,
    ]

    /// Parses `text`, or returns `nil` when Kubernetes would reject it (exponent forms such as `1e3` are not
    /// accepted here; nobody writes them in a policy).
    init?(_ text: String) {
        let number = text.prefix { $0.isNumber || $0 == "." }
        let suffix = String(text.dropFirst(number.count))
        guard !number.isEmpty, number.first != ".", number.last != ".", number.filter({ $0 == "." }).count <= 1,
            let base = Double(number), let scale = Self.suffixes[suffix]
        else { return nil }
        value = base * scale
    }

    /// A non-negative value written the way Kubernetes prints it: whole numbers plain, fractions in milli-units
    /// (`0.5` → `500m`). Returns `nil` below one milli-unit, which Kubernetes would round to zero.
    static func text(forValue value: Double) -> String? {
        let milli = (value * 1000).rounded()
        guard value.isFinite, milli >= 1, milli < Double(Int.max) else { return nil }
        let whole = Int(milli)
        return whole % 1000 == 0 ? String(whole / 1000) : "\(whole)m"
    }
}
