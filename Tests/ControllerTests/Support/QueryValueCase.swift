import PromQL
import PromText
import Testing

/// Query results for table tests (QueryValue is not a simple literal).
enum QueryValueCase: Sendable, CustomTestStringConvertible {
    case scalar, one, empty, two, string

    var value: QueryValue {
        switch self {
        case .scalar: .scalar(2)
        case .one: .vector([VectorSample(labels: ["a": "1"], value: 5)])
        case .empty: .vector([])
        case .two: .vector([VectorSample(labels: ["a": "1"], value: 5), VectorSample(labels: ["a": "2"], value: 6)])
        case .string: .string("s")
        }
    }

    var testDescription: String { "\(self)" }
}
