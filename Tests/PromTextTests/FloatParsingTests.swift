import Testing

@testable import PromText

/// The byte-level number readers agree with the standard library's correctly rounded conversion.
struct FloatParsingTests {
    @Test(arguments: [
        "0", "1", "-1", "+1", "0.1", "0.25", "123456789012345", "1234567890123456789", "3.141592653589793238",
        "1e-3", "1E+10", "-2.5e-7", "1e22", "1e23", "9007199254740993", "0.000001", ".5", "5.", "1e-400",
        "4.9e-324", "1.7976931348623157e308", "00012.5000",
    ])
    func decimalsMatchTheStandardLibrary(_ text: String) throws {
        let expected = try #require(Double(text))
        #expect(parse(text) == expected)
    }

    @Test(arguments: [
        ("NaN", Double.nan), ("nan", .nan), ("+Inf", .infinity), ("-Inf", -.infinity), ("Inf", .infinity),
        ("inf", .infinity), ("-Infinity", -.infinity),
    ])
    func specialValues(_ text: String, _ expected: Double) {
        let value = parse(text)
        #expect(value == expected || (value?.isNaN == true && expected.isNaN))
    }

    @Test(arguments: ["", "-", "+", "1.2.3", "0x1p3", "1e", "1e+", "abc", "-NaN", "1_000", "nan(1)", "1 ", "Infx"])
    func rejectsNonNumbers(_ text: String) {
        #expect(parse(text) == nil)
    }

    @Test(arguments: [
        ("0", Int64(0)), ("-5", -5), ("+7", 7), ("9223372036854775807", .max), ("-9223372036854775808", .min),
    ])
    func integers(_ text: String, _ expected: Int64) {
        let bytes = Array(text.utf8)
        #expect(int64(bytes, count: bytes.count) == expected)
    }

    @Test(arguments: ["9223372036854775808", "-9223372036854775809", "1.5", "", "-", "12a"])
    func rejectsNonIntegers(_ text: String) {
        let bytes = Array(text.utf8) + [0]
        #expect(int64(bytes, count: bytes.count - 1) == nil)
    }

    @Test func randomDecimalsRoundTrip() {
        var random = SplitMix(seed: 42)
        for _ in 0..<5_000 {
            let value = Double(bitPattern: random.next())
            guard value.isFinite else { continue }
            #expect(parse(value.description) == value, "\(value.description)")
        }
    }

    private func parse(_ text: String) -> Double? {
        let bytes = Array(text.utf8) + [0]
        return bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { FloatParsing.double($0, count: buffer.count - 1) }
        }
    }

    private func int64(_ bytes: [UInt8], count: Int) -> Int64? {
        bytes.withUnsafeBufferPointer { buffer in buffer.baseAddress.flatMap { FloatParsing.int64($0, count: count) } }
    }
}
