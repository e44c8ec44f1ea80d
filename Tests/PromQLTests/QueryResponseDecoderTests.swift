import PromQL
import PromText
import Testing

struct QueryResponseDecoderTests {
    static func decode(_ json: String) throws -> QueryValue {
        try QueryResponseDecoder().decode(Array(json.utf8))
    }

    @Test func decodesAVector() throws {
        let value = try Self.decode(
            """
            {"status":"success","data":{"resultType":"vector","result":[
              {"metric":{"__name__":"up","job":"a"},"value":[1700000000.123,"1"]},
              {"metric":{"job":"b"},"value":[1700000000.123,"NaN"]},
              {"metric":{},"value":[1700000000.123,"+Inf"]}]}}
            """)
        guard case .vector(let samples) = value else {
            Issue.record("expected a vector, got \(value)")
            return
        }
        #expect(samples.count == 3)
        #expect(samples[0] == VectorSample(labels: ["__name__": "up", "job": "a"], value: 1))
        #expect(samples[0].name == "up")
        #expect(samples[1].value.isNaN)
        #expect(samples[2].value == .infinity)
    }

    @Test func decodesAMatrixWithMillisecondTimestamps() throws {
        let value = try Self.decode(
            """
            {"status":"success","data":{"resultType":"matrix","result":[
              {"metric":{"__name__":"x"},"values":[[1700000000.001,"1"],[1700000001.5,"-2.5e3"]]}]}}
            """)
        #expect(
            value
                == .matrix([
                    RangeSeries(
                        labels: ["__name__": "x"],
                        points: [
                            Point(timestampMilliseconds: 1_700_000_000_001, value: 1),
                            Point(timestampMilliseconds: 1_700_000_001_500, value: -2500),
                        ])
                ]))
    }

    @Test func decodesScalarAndString() throws {
        #expect(
            try Self.decode(#"{"status":"success","data":{"resultType":"scalar","result":[1.5,"-Inf"]}}"#)
                == .scalar(-.infinity))
        #expect(
            try Self.decode(#"{"status":"success","data":{"resultType":"string","result":[1.5,"hi"]}}"#)
                == .string("hi"))
    }

    /// Malformed or failed responses and a phrase the error must contain.
    static let failures: [(String, String)] = [
        (
            #"{"status":"error","errorType":"execution","error":"many-to-many matching not allowed"}"#,
            "Prometheus answered execution: many-to-many matching not allowed"
        ),
        ("not json", "not valid JSON"),
        ("[1]", "not a JSON object"),
        (#"{"status":"success","data":{}}"#, "no data.resultType"),
        (
            #"{"status":"success","data":{"resultType":"histogram","result":[]}}"#,
            "unknown data.resultType \"histogram\""
        ),
        (
            #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1]}]}}"#,
            "data.result[0].value must be [seconds, \"value\"]"
        ),
        (
            #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":1},"value":[1,"1"]}]}}"#,
            "data.result[0].metric.a must be a string"
        ),
        (
            #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{}}]}}"#,
            "data.result[0].values is missing"
        ),
        (
            #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"abc"]}]}}"#,
            "data.result[0].value must be"
        ),
    ]

    @Test(arguments: failures)
    func rejectsWithTheFieldAtFault(json: String, phrase: String) {
        #expect {
            try Self.decode(json)
        } throws: { error in
            (error as? PromQLError)?.description.contains(phrase) == true
        }
    }
}
