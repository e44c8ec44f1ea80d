import PromQL
import PromText

/// Builds windows from code and evaluates expressions on them.
struct Fixture {
    var window: SeriesWindow

    init(configuration: SeriesWindow.Configuration = .init()) {
        window = SeriesWindow(configuration: configuration)
    }

    /// Adds samples of one series at the given seconds.
    mutating func add(_ name: String, _ labels: Labels = Labels(), _ points: [(seconds: Double, value: Double)]) {
        for point in points {
            let time = Int64(point.seconds * 1000)
            window.ingest(
                [Sample(name: name, labels: labels, value: point.value, timestampMilliseconds: time)], at: time)
        }
    }

    func evaluate(_ text: String, atSeconds seconds: Double) throws -> QueryValue {
        try window.evaluate(try Expression.parse(text), at: Int64(seconds * 1000))
    }

    /// The vector result as label text (`{a="1"}`) to value.
    func vector(_ text: String, atSeconds seconds: Double) throws -> [String: Double] {
        guard case .vector(let samples) = try evaluate(text, atSeconds: seconds) else { return [:] }
        var result: [String: Double] = [:]
        for sample in samples {
            result["{" + sample.labels.pairs.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ",") + "}"] =
                sample.value
        }
        return result
    }

    /// The value of a one-sample vector or a scalar; `nil` for an empty vector.
    func single(_ text: String, atSeconds seconds: Double) throws -> Double? {
        switch try evaluate(text, atSeconds: seconds) {
        case .scalar(let value): return value
        case .vector(let samples): return samples.count == 1 ? samples[0].value : nil
        default: return nil
        }
    }
}

func approximatelyEqual(_ a: Double?, _ b: Double) -> Bool {
    guard let a else { return false }
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
    return a == b || abs(a - b) <= 1e-12 * max(abs(a), abs(b))
}
