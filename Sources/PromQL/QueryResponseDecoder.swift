import Foundation
import PromText

/// Reads a Prometheus `/api/v1/query` (or `/api/v1/query_range`) JSON response into a ``QueryValue``.
///
/// Shared by the controller's Prometheus mode and the tests that compare our evaluator with a real server.
public struct QueryResponseDecoder: Sendable {
    /// Creates a decoder.
    public init() {}

    /// Decodes a response body.
    ///
    /// Timestamps (float seconds) become milliseconds, rounded to the nearest; values `"NaN"`, `"+Inf"`, `"-Inf"`
    /// are read as such.
    /// - Throws: ``PromQLError`` quoting the server's error for `"status":"error"` responses, or naming the field that
    ///   is malformed.
    public func decode(_ body: some Collection<UInt8>) throws(PromQLError) -> QueryValue {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        } catch {
            throw PromQLError(
                "the Prometheus response is not valid JSON (\(body.count) bytes); check that the URL points at /api/v1/query"
            )
        }
        guard let response = object as? [String: Any] else {
            throw PromQLError(
                "the Prometheus response is not a JSON object; check that the URL points at /api/v1/query")
        }
        if let status = response["status"] as? String, status != "success" {
            let kind = response["errorType"] as? String ?? "error"
            let message = response["error"] as? String ?? "no message"
            throw PromQLError("Prometheus answered \(kind): \(message)")
        }
        guard let data = response["data"] as? [String: Any], let type = data["resultType"] as? String else {
            throw PromQLError("the Prometheus response has no data.resultType field")
        }
        let result = data["result"]
        switch type {
        case "scalar":
            return .scalar(try point(result, field: "data.result").value)
        case "string":
            guard let pair = result as? [Any], pair.count == 2, let text = pair[1] as? String else {
                throw PromQLError("data.result of a string response must be [time, \"text\"]")
            }
            return .string(text)
        case "vector":
            guard let items = result as? [[String: Any]] else {
                throw PromQLError("data.result of a vector response must be an array of objects")
            }
            var samples: [VectorSample] = []
            for (index, item) in items.enumerated() {
                let labels = try self.labels(item["metric"], field: "data.result[\(index)].metric")
                samples.append(
                    VectorSample(
                        labels: labels, value: try point(item["value"], field: "data.result[\(index)].value").value))
            }
            return .vector(samples)
        case "matrix":
            guard let items = result as? [[String: Any]] else {
                throw PromQLError("data.result of a matrix response must be an array of objects")
            }
            var series: [RangeSeries] = []
            for (index, item) in items.enumerated() {
                let labels = try self.labels(item["metric"], field: "data.result[\(index)].metric")
                guard let values = item["values"] as? [Any] else {
                    throw PromQLError("data.result[\(index)].values is missing; native histograms are not supported")
                }
                var points: [Point] = []
                points.reserveCapacity(values.count)
                for (offset, value) in values.enumerated() {
                    points.append(try point(value, field: "data.result[\(index)].values[\(offset)]"))
                }
                series.append(RangeSeries(labels: labels, points: points))
            }
            return .matrix(series)
        default:
            throw PromQLError("unknown data.resultType \"\(type)\"; expected scalar, string, vector or matrix")
        }
    }

    private func labels(_ value: Any?, field: String) throws(PromQLError) -> Labels {
        guard let metric = value as? [String: Any] else {
            throw PromQLError("\(field) must be an object of label names to values")
        }
        var pairs: [Label] = []
        for (name, value) in metric {
            guard let text = value as? String else { throw PromQLError("\(field).\(name) must be a string") }
            pairs.append(Label(name, text))
        }
        return Labels(pairs)
    }

    private func point(_ value: Any?, field: String) throws(PromQLError) -> Point {
        guard let pair = value as? [Any], pair.count == 2, let seconds = (pair[0] as? NSNumber)?.doubleValue,
            let text = pair[1] as? String, let number = parseBucketBound(text)
        else {
            throw PromQLError("\(field) must be [seconds, \"value\"], as Prometheus writes samples")
        }
        return Point(timestampMilliseconds: Int64((seconds * 1000).rounded()), value: number)
    }
}
