/// The type a PromQL expression evaluates to.
enum ValueType: String, Sendable {
    case scalar, vector = "instant vector", matrix = "range vector", string
}

/// Binary operators in Prometheus precedence order, lowest first.
enum BinaryOperator: String, Sendable, Hashable {
    case or, and, unless
    case equal = "==", notEqual = "!=", greater = ">", less = "<", greaterOrEqual = ">=", lessOrEqual = "<="
    case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%"
    case power = "^"

    /// Binding strength; higher binds tighter (Prometheus: or < and/unless < comparisons < +- < */% < ^).
    var precedence: Int {
        switch self {
        case .or: 1
        case .and, .unless: 2
        case .equal, .notEqual, .greater, .less, .greaterOrEqual, .lessOrEqual: 3
        case .add, .subtract: 4
        case .multiply, .divide, .modulo: 5
        case .power: 6
        }
    }

    var isComparison: Bool { precedence == 3 }
    var isSetOperator: Bool { precedence <= 2 }
}

/// How the two sides of a vector binary operation pair up: `on(...)`/`ignoring(...)`, `group_left`/`group_right`.
struct VectorMatching: Sendable, Hashable {
    enum Cardinality: Sendable, Hashable { case oneToOne, manyToOne, oneToMany, manyToMany }
    var cardinality: Cardinality
    /// `true` for `on(...)`, `false` for `ignoring(...)` or no modifier.
    var on: Bool
    var labels: [String]
    /// Labels copied from the "one" side by `group_left(...)`/`group_right(...)`.
    var include: [String]
}

struct BinaryExpression: Sendable, Hashable {
    var `operator`: BinaryOperator
    var left: Node
    var right: Node
    var returnsBool: Bool
    /// `nil` when either side is a scalar.
    var matching: VectorMatching?
}

enum AggregationOperator: String, Sendable, CaseIterable {
    case sum, avg, max, min, count, group, stddev, stdvar, topk, bottomk, quantile

    /// Whether the operator takes a scalar parameter before the vector.
    var hasParameter: Bool { self == .topk || self == .bottomk || self == .quantile }
}

struct Aggregation: Sendable, Hashable {
    var `operator`: AggregationOperator
    var parameter: Node?
    var argument: Node
    var grouping: [String]
    var without: Bool
    /// Whether `by`/`without` was written at all (`sum(x)` versus `sum by () (x)`).
    var hasGrouping: Bool
}

struct FunctionCall: Sendable, Hashable {
    var function: Function
    var arguments: [Node]
}

/// The parsed form of an expression.
indirect enum Node: Sendable, Hashable {
    case number(Double)
    case string(String)
    case selector(VectorSelector)
    case parenthesized(Node)
    case negation(Node)
    case binary(BinaryExpression)
    case aggregation(Aggregation)
    case call(FunctionCall)

    var type: ValueType {
        switch self {
        case .number: .scalar
        case .string: .string
        case .selector(let selector): selector.rangeMilliseconds == nil ? .vector : .matrix
        case .parenthesized(let inner), .negation(let inner): inner.type
        case .binary(let binary): binary.left.type == .scalar && binary.right.type == .scalar ? .scalar : .vector
        case .aggregation: .vector
        case .call(let call): call.function.returns
        }
    }

    /// Every selector in the expression, left to right.
    func collectSelectors(into selectors: inout [VectorSelector]) {
        switch self {
        case .number, .string: break
        case .selector(let selector): selectors.append(selector)
        case .parenthesized(let inner), .negation(let inner): inner.collectSelectors(into: &selectors)
        case .binary(let binary):
            binary.left.collectSelectors(into: &selectors)
            binary.right.collectSelectors(into: &selectors)
        case .aggregation(let aggregation):
            aggregation.parameter?.collectSelectors(into: &selectors)
            aggregation.argument.collectSelectors(into: &selectors)
        case .call(let call):
            for argument in call.arguments { argument.collectSelectors(into: &selectors) }
        }
    }
}

/// A number in PromQL syntax: `Inf`, `-Inf`, `NaN`, integers without a fraction, else the shortest exact form.
func formatNumber(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value > 0 ? "Inf" : "-Inf" }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return "\(value)"
}
