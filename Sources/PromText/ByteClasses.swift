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

    /// `[a-zA-Z0-9_:]`
    @inline(__always) var isMetricNameContinuation: Bool { isMetricNameStart || isDigit }

    /// `[a-zA-Z_]`
    @inline(__always) var isLabelNameStart: Bool { isLetter || self == UInt8(ascii: "_") }

    /// `[a-zA-Z0-9_]`
    @inline(__always) var isLabelNameContinuation: Bool { isLabelNameStart || isDigit }
}
