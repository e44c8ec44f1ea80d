/// Numbers read straight from the page's bytes, without building a `String` for the common cases.
enum FloatParsing {
    /// Exact powers of ten: every one up to 1e22 is a `Double` without rounding.
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// The value of a sample token: a decimal or exponent number, `NaN`, `Inf`, `+Inf` or `-Inf`
    /// (case-insensitive, `Infinity` too, as Go's `strconv.ParseFloat` reads them); `nil` for anything else.
    ///
    /// Plain decimals with at most 15 significant digits and a small exponent take Clinger's fast path
    /// (one exact multiply or divide); the rest go to the standard library's correctly rounded conversion.
    static func double(_ start: UnsafePointer<UInt8>, count: Int) -> Double? {
        guard count > 0 else { return nil }
        var index = 0
        var negative = false
        if start[0] == UInt8(ascii: "-") || start[0] == UInt8(ascii: "+") {
            negative = start[0] == UInt8(ascii: "-")
            index = 1
        }
        guard index < count else { return nil }
        let first = start[index]
        if first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9") || first == UInt8(ascii: ".") {
            if let value = fastDecimal(start + index, count: count - index) {
                return negative ? -value : value
            }
            return slowDecimal(start, count: count)
        }
        if let special = special(start + index, count: count - index) {
            if special.isNaN { return index == 0 ? .nan : nil }
            return negative ? -special : special
        }
        return nil
    }

    /// A signed decimal integer, such as a millisecond timestamp; `nil` when not one or beyond `Int64`.
    static func int64(_ start: UnsafePointer<UInt8>, count: Int) -> Int64? {
        guard count > 0 else { return nil }
        var index = 0
        var negative = false
        if start[0] == UInt8(ascii: "-") || start[0] == UInt8(ascii: "+") {
            negative = start[0] == UInt8(ascii: "-")
            index = 1
        }
        guard index < count else { return nil }
        // Accumulate negatively so that Int64.min reads without overflow.
        var value: Int64 = 0
        while index < count {
            let digit = start[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = times.subtractingReportingOverflow(Int64(digit))
            guard !overflow1, !overflow2 else { return nil }
            value = next
            index += 1
        }
        if negative { return value }
        let (positive, overflow) = Int64(0).subtractingReportingOverflow(value)
        return overflow ? nil : positive
    }

    private static func fastDecimal(_ start: UnsafePointer<UInt8>, count: Int) -> Double? {
        var index = 0
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var sawDigit = false
        while index < count {
            let digit = start[index] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            sawDigit = true
            if mantissa != 0 || digit != 0 { digits += 1 }
            mantissa = mantissa &* 10 &+ UInt64(digit)
            index += 1
        }
        if index < count && start[index] == UInt8(ascii: ".") {
            index += 1
            while index < count {
                let digit = start[index] &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                sawDigit = true
                if mantissa != 0 || digit != 0 { digits += 1 }
                mantissa = mantissa &* 10 &+ UInt64(digit)
                exponent -= 1
                index += 1
            }
        }
        guard sawDigit, digits <= 15 else { return nil }
        if index < count && (start[index] == UInt8(ascii: "e") || start[index] == UInt8(ascii: "E")) {
            index += 1
            var negativeExponent = false
            if index < count && (start[index] == UInt8(ascii: "-") || start[index] == UInt8(ascii: "+")) {
                negativeExponent = start[index] == UInt8(ascii: "-")
                index += 1
            }
            var written = 0
            var sawExponentDigit = false
            while index < count {
                let digit = start[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                sawExponentDigit = true
                guard written < 10_000 else { return nil }
                written = written * 10 + Int(digit)
                index += 1
            }
            guard sawExponentDigit else { return nil }
            exponent += negativeExponent ? -written : written
        }
        guard index == count else { return nil }
        if mantissa == 0 { return 0 }
        let value = Double(mantissa)
        if exponent >= 0 && exponent <= 22 { return value * powersOfTen[exponent] }
        if exponent < 0 && exponent >= -22 { return value / powersOfTen[-exponent] }
        return nil
    }

    /// Long or extreme decimals: checked to hold only decimal characters (no hex, no `nan(…)` payloads),
    /// then converted by the standard library, which rounds correctly.
    private static func slowDecimal(_ start: UnsafePointer<UInt8>, count: Int) -> Double? {
        guard count <= 1_000 else { return nil }
        for index in 0..<count {
            switch start[index] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"),
                UInt8(ascii: "+"), UInt8(ascii: "-"):
                continue
            default:
                return nil
            }
        }
        let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
        return Double(text)
    }

    private static func special(_ start: UnsafePointer<UInt8>, count: Int) -> Double? {
        func matches(_ word: StaticString) -> Bool {
            guard word.utf8CodeUnitCount == count else { return false }
            let letters = word.utf8Start
            for index in 0..<count where start[index] | 0x20 != letters[index] { return false }
            return true
        }
        if matches("inf") || matches("infinity") { return .infinity }
        if matches("nan") { return .nan }
        return nil
    }
}
