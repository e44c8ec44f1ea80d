/// The bytes the exposition grammar cares about, named so the scanner reads like the grammar.
extension UInt8 {
    static let lineFeed = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let hash = UInt8(ascii: "#")
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let letterN = UInt8(ascii: "n")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let comma = UInt8(ascii: ",")
    static let equals = UInt8(ascii: "=")

    /// Space or tab: the blanks that separate tokens.
    @inline(__always) var isBlank: Bool { self == .space || self == .tab }

    @inline(__always) var isLetter: Bool { (self | 0x20) &- UInt8(ascii: "a") < 26 }

    @inline(__always) var isDigit: Bool { self &- UInt8(ascii: "0") < 10 }

    /// `[a-zA-Z_:]`
    @inline(__always) var isMetricNameStart: Bool { isLetter || self == UInt8(ascii: "_") || self == UInt8(ascii: ":") }

    /// `[a-zA-Z0-9_:]`, as one shift and mask: it runs for every byte of every name.
    @inline(__always) var isMetricNameContinuation: Bool {
        Self.inMasks(self, low: Self.digitsAndColon, high: Self.lettersAndUnderscore)
    }

    /// `[a-zA-Z_]`
    @inline(__always) var isLabelNameStart: Bool { isLetter || self == UInt8(ascii: "_") }

    /// `[a-zA-Z0-9_]`
    @inline(__always) var isLabelNameContinuation: Bool {
        Self.inMasks(self, low: Self.digits, high: Self.lettersAndUnderscore)
    }

    /// Bits 48...57 of the low mask are `0`...`9`, bit 58 is `:`.
    private static let digits: UInt64 = ((1 << 10) - 1) << 48
    private static let digitsAndColon: UInt64 = ((1 << 11) - 1) << 48
    /// Bits of the high mask, offset by 64: `A`...`Z` are 1...26, `_` is 31, `a`...`z` are 33...58.
    private static let lettersAndUnderscore: UInt64 = ((1 << 26) - 1) << 1 | 1 << 31 | ((1 << 26) - 1) << 33

    @inline(__always)
    private static func inMasks(_ byte: UInt8, low: UInt64, high: UInt64) -> Bool {
        guard byte < 128 else { return false }
        let mask = byte < 64 ? low : high
        return (mask >> UInt64(byte & 63)) & 1 != 0
    }
}
