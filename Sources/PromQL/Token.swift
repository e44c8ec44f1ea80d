/// One lexical token of a PromQL expression with the 1-based column where it starts.
struct Token: Equatable {
    enum Kind: Equatable {
        case number(Double)
        /// A duration such as `1h30m`, in milliseconds.
        case duration(Int64)
        case string(String)
        case identifier(String)
        case leftParen, rightParen, leftBrace, rightBrace, leftBracket, rightBracket
        case comma, colon, at
        /// `=` (label matcher only).
        case assign
        /// `=~` and `!~` (label matchers only).
        case regexMatch, regexNoMatch
        /// `+ - * / % ^ == != > < >= <=`; `!=` doubles as a label matcher.
        case symbol(String)
        case end
    }

    var kind: Kind
    var column: Int
}
