import Testing

@testable import PromText

/// The mask-based name classes agree with the grammar written out longhand, for every byte.
struct ByteClassesTests {
    @Test func nameClassesMatchTheGrammar() {
        for value in 0...255 {
            let byte = UInt8(value)
            let letter = (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value)
            let digit = (0x30...0x39).contains(value)
            #expect(byte.isMetricNameContinuation == (letter || digit || byte == 0x5F || byte == 0x3A), "\(value)")
            #expect(byte.isLabelNameContinuation == (letter || digit || byte == 0x5F), "\(value)")
            #expect(byte.isMetricNameStart == (letter || byte == 0x5F || byte == 0x3A), "\(value)")
            #expect(byte.isLabelNameStart == (letter || byte == 0x5F), "\(value)")
        }
    }
}
