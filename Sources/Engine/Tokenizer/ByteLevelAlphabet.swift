/// GPT-2's byte-level alphabet: every byte maps to one printable Unicode scalar, so any UTF-8 text (or any byte
/// string) becomes a string over 256 symbols that the vocabulary and merges are written in.
///
/// Printable Latin-1 bytes (`!`…`~`, `¡`…`¬`, `®`…`ÿ`) map to themselves; the other 68 bytes map to U+0100 and
/// up in byte order, which is why a space appears as `Ġ` (U+0120) and a newline as `Ċ` (U+010A) in token texts.
public enum ByteLevelAlphabet {
    /// The scalar for each byte value.
    public static let scalarForByte: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (33...126).contains(byte) || (161...172).contains(byte) || (174...255).contains(byte)
            if printable {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                table[byte] = Unicode.Scalar(next) ?? " "
                next += 1
            }
        }
        return table
    }()

    /// The byte for each scalar of the alphabet.
    public static let byteForScalar: [Unicode.Scalar: UInt8] = {
        var map: [Unicode.Scalar: UInt8] = [:]
        for (byte, scalar) in scalarForByte.enumerated() { map[scalar] = UInt8(byte) }
        return map
    }()

    /// `bytes` written in the alphabet.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out = String.UnicodeScalarView()
        for byte in bytes { out.append(scalarForByte[Int(byte)]) }
        return String(out)
    }

    /// The bytes a string in the alphabet stands for, or `nil` when it contains a scalar outside the alphabet.
    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            guard let byte = byteForScalar[scalar] else { return nil }
            out.append(byte)
        }
        return out
    }
}
