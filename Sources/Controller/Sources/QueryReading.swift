public import BallastCore
public import PromQL

/// Turns a PromQL result into one signal reading: one number, or a clear reason why there is none.
///
/// Both metrics sources and `ballast policy explain` use these, so a query means the same everywhere: an empty
/// vector is missing, more than one series is a failure (never a sum the policy did not ask for).
public enum QueryReading {
    /// Why an empty vector has no value.
    public static let emptyReason = "the query returned no series (metrics absent, or fewer than two scrapes for a rate)"

    /// The reading of an evaluated query: a scalar or a one-series vector is a value, an empty vector is missing,
    /// several series or a range/string result fail.
    public static func reading(of value: QueryValue) -> SignalReading {
        switch value {
        case .scalar(let number):
            return .value(number)
        case .vector(let elements):
            if elements.isEmpty { return .missing(reason: emptyReason) }
            if elements.count > 1 {
                return .failed(
                    reason: "the query returned \(elements.count) series; aggregate it to one, e.g. max(…) or sum(…)")
            }
            return .value(elements[0].value)
        case .matrix, .string:
            return .failed(reason: "the query returns a range or string; a signal must return one number")
        }
    }

    /// The reading of `expression` evaluated over `window` at `timeMilliseconds`; evaluation errors fail the
    /// reading with PromQL's sentence.
    public static func reading(of expression: Expression, in window: SeriesWindow, at timeMilliseconds: Int64)
        -> SignalReading
    {
        do {
            return reading(of: try window.evaluate(expression, at: timeMilliseconds))
        } catch {
            return .failed(reason: "\(error)")
        }
    }

    /// The reading of query text: parse errors fail with PromQL's sentence.
    public static func reading(ofQuery text: String, in window: SeriesWindow, at timeMilliseconds: Int64)
        -> SignalReading
    {
        do {
            return reading(of: try PromQL.Expression.parse(text), in: window, at: timeMilliseconds)
        } catch {
            return .failed(reason: "\(error)")
        }
    }
}
