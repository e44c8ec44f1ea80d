/// Formats numbers for explanations without Foundation: integers without a fraction, others in
/// Swift's shortest round-trip form rounded to 4 significant decimals, so "ceil(2 × 0.84 / 0.5) = 4" reads as written.
public enum NumberText {
    /// `2.0` → `2`, `0.84` → `0.84`, `1/3` → `0.3333`, `+Inf` → `+Inf`, NaN → `NaN`.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        let magnitude = abs(value)
        guard magnitude >= 1e-4, magnitude < 1e15 else { return "\(value)" }
        // Keep 4 significant digits after the leading ones so long fractions stay readable.
        var scale = 1.0
        var digits = magnitude
        while digits < 1000 {
            digits *= 10
            scale *= 10
        }
        let rounded = (value * scale).rounded() / scale
        return "\(rounded)"
    }
}
