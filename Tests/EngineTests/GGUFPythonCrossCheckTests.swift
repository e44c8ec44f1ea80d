import Foundation
import Testing

@testable import Engine

/// Files from ``GGUFWriter`` must read back identically in the PyPI `gguf` package, the reference reader that
/// llama.cpp's own tools use.
struct GGUFPythonCrossCheckTests {
    /// Dumps a GGUF file as JSON: metadata (type chain and values; floats as bit patterns so nothing is lost in
    /// decimal), tensors (name, ggml type, shape, byte count, data offset, FNV-1a 64 checksum of the data).
    static let dumpScript = """
        import json, struct, sys
        from gguf import GGUFReader, GGUFValueType
        r = GGUFReader(sys.argv[1])
        def fnv(b):
            h = 0xcbf29ce484222325
            for x in b:
                h = ((h ^ x) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
            return str(h)
        def canon(t, v):
            if t == GGUFValueType.FLOAT32: return str(struct.unpack('<I', struct.pack('<f', v))[0])
            if t == GGUFValueType.FLOAT64: return str(struct.unpack('<Q', struct.pack('<d', v))[0])
            if t == GGUFValueType.BOOL: return 'true' if v else 'false'
            return str(v)
        fields = []
        for f in r.fields.values():
            if f.name.startswith('GGUF.'): continue
            v = f.contents()
            t = f.types[-1]
            v = [canon(t, x) for x in v] if isinstance(v, list) else [canon(t, v)]
            fields.append({'key': f.name, 'types': [int(x) for x in f.types], 'value': v})
        tensors = [{'name': t.name, 'type': int(t.tensor_type), 'shape': [int(x) for x in t.shape],
                    'bytes': int(t.n_bytes), 'offset': int(t.data_offset), 'fnv': fnv(t.data.tobytes())}
                   for t in r.tensors]
        print(json.dumps({'fields': fields, 'tensors': tensors, 'alignment': int(r.alignment),
                          'data_offset': int(r.data_offset)}))
        """

    /// What the dump script prints for `value`: the type chain and every element as text (nested arrays come back
    /// flattened from the Python reader's `contents()`, floats as their bit patterns).
    static func flattened(_ value: GGUFValue) -> (types: [Int], value: [String]) {
        func scalar(_ v: GGUFValue) -> String {
            switch v {
            case .float32(let f): String(f.bitPattern)
            case .float64(let d): String(d.bitPattern)
            case .string(let s): s
            case .bool(let b): b ? "true" : "false"
            case .uint64(let u): String(u)
            default: v.integer.map { String($0) } ?? "?"
            }
        }
        func elements(_ array: GGUFArray) -> [GGUFValue] {
            switch array {
            case .uint8(let a): a.map(GGUFValue.uint8)
            case .int8(let a): a.map(GGUFValue.int8)
            case .uint16(let a): a.map(GGUFValue.uint16)
            case .int16(let a): a.map(GGUFValue.int16)
            case .uint32(let a): a.map(GGUFValue.uint32)
            case .int32(let a): a.map(GGUFValue.int32)
            case .uint64(let a): a.map(GGUFValue.uint64)
            case .int64(let a): a.map(GGUFValue.int64)
            case .float32(let a): a.map(GGUFValue.float32)
            case .float64(let a): a.map(GGUFValue.float64)
            case .bool(let a): a.map(GGUFValue.bool)
            case .string(let a): a.map(GGUFValue.string)
            case .array(let a): a.flatMap(elements)
            }
        }
        // The Python reader takes element types from the first element only, so an empty array has none.
        func typeChain(_ array: GGUFArray) -> [Int] {
            guard array.count > 0 else { return [] }
            if case .array(let inner) = array {
                return [Int(GGUFValueType.array.rawValue)] + (inner.first.map(typeChain) ?? [])
            }
            return [Int(array.elementType.rawValue)]
        }
        guard case .array(let array) = value else { return ([Int(value.type.rawValue)], [scalar(value)]) }
        return ([Int(GGUFValueType.array.rawValue)] + typeChain(array), elements(array).map(scalar))
    }

    static func uint64(_ any: Any?) -> UInt64? {
        if let n = any as? NSNumber { return n.uint64Value }
        return nil
    }

    @Test(
        .enabled(if: PythonRunner.ggufAvailable, "needs python3 with the PyPI gguf package"),
        arguments: [(UInt32(3), UInt32?.none), (2, 64)])
    func pythonReaderSeesWhatWeWrote(version: UInt32, alignment: UInt32?) async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("cross.gguf")
        let writer = try GGUFSamples.writer(version: version, alignment: alignment, seed: 7)
        try writer.write(to: path)
        let json = try await PythonRunner.json(Self.dumpScript, [path])

        let fields = try #require(json["fields"] as? [[String: Any]])
        #expect(fields.map { $0["key"] as? String ?? "" } == writer.metadata.map(\.key))
        for (field, (key, value)) in zip(fields, writer.metadata) {
            let expected = Self.flattened(value)
            #expect(field["types"] as? [Int] == expected.types, "types of \(key)")
            #expect(field["value"] as? [String] == expected.value, "value of \(key)")
        }

        let tensors = try #require(json["tensors"] as? [[String: Any]])
        let header = try GGUFFile(path: path).header
        #expect(Self.uint64(json["data_offset"]) == UInt64(header.dataOffset))
        #expect(Self.uint64(json["alignment"]) == UInt64(header.alignment))
        let expected = GGUFSamples.tensors(seed: 7)
        try #require(tensors.count == expected.count)
        for (tensor, want) in zip(tensors, expected) {
            #expect(tensor["name"] as? String == want.name)
            #expect(tensor["type"] as? Int == Int(want.type.rawValue), "type of \(want.name)")
            #expect(tensor["shape"] as? [Int] == want.shape, "shape of \(want.name)")
            #expect(tensor["bytes"] as? Int == want.data.count, "bytes of \(want.name)")
            #expect(tensor["fnv"] as? String == String(fnv1a64(want.data)), "checksum of \(want.name)")
        }
    }
}
