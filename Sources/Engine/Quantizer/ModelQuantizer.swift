#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Requantizes a GGUF model: reads each tensor, converts it as a ``QuantizationPlan`` says, and writes a GGUF file
/// with the same metadata (with `general.file_type` updated) that our engine, llama.cpp and the PyPI `gguf`
/// reader open.
public enum ModelQuantizer {
    /// Progress after each tensor, for a progress bar.
    public struct Progress: Sendable, Equatable {
        /// Tensors done so far.
        public var tensorsDone: Int
        /// Tensors in the file.
        public var tensorCount: Int
        /// Input bytes done so far.
        public var bytesDone: Int
        /// Input bytes of all tensors.
        public var byteCount: Int
        /// The tensor just finished.
        public var tensor: String
    }

    /// What a run did.
    public struct Report: Sendable, Equatable {
        /// The decisions carried out.
        public var plan: QuantizationPlan
        /// Bytes of tensor data read.
        public var inputTensorBytes: Int
        /// Bytes of tensor data written.
        public var outputTensorBytes: Int
        /// Size of the written file in bytes.
        public var outputFileBytes: Int
    }

    /// Rows converted per chunk: bounds the float scratch (rows × row length × 4 bytes) whatever the tensor size.
    static let chunkElements = 1 << 20

    /// Converts `input` as `plan` says and writes the result to `outputPath` (through `outputPath.part`, renamed
    /// when complete, so a failed run never leaves a half-written model under the final name, and `outputPath`
    /// may even be the input's own path).
    ///
    /// - Parameter progress: called after each tensor.
    /// - Throws: ``QuantizerError`` naming the tensor or the path when a tensor cannot be read or converted, or
    ///   the file cannot be written.
    @discardableResult
    public static func quantize(
        _ input: GGUFFile, plan: QuantizationPlan, to outputPath: String,
        progress: (Progress) -> Void = { _ in }
    ) throws(QuantizerError) -> Report {
        guard plan.entries.map(\.name) == input.tensors.map(\.name) else {
            throw QuantizerError(
                "The quantization plan was made for other tensors than those of \(input.file.path); plan this file.")
        }
        var writer = GGUFWriter(version: input.header.version)
        do {
            // The alignment comes first: tensor offsets depend on it.
            if let alignment = input["general.alignment"] { try writer.set("general.alignment", alignment) }
            for (key, value) in input.metadata where key != "general.alignment" {
                try writer.set(key, value)
            }
            if let fileType = QuantizationPlan.fileType(of: plan.target) {
                try writer.set("general.file_type", .uint32(fileType))
            }
        } catch {
            throw QuantizerError("\(input.file.path): \(error.message)")
        }
        let total = input.tensors.reduce(0) { $0 + $1.byteCount }
        var done = 0
        var written = 0
        for (index, (tensor, entry)) in zip(input.tensors, plan.entries).enumerated() {
            let source: UnsafeRawBufferPointer
            do {
                source = try input.data(of: tensor)
            } catch {
                throw QuantizerError(error.description)
            }
            let bytes = try convert(source, tensor: tensor, to: entry.targetType)
            do {
                try writer.addTensor(name: tensor.name, shape: tensor.shape, type: entry.targetType, data: bytes)
            } catch {
                throw QuantizerError("Cannot add tensor `\(tensor.name)` to the output: \(error.message)")
            }
            done += tensor.byteCount
            written += bytes.count
            progress(
                Progress(
                    tensorsDone: index + 1, tensorCount: input.tensors.count, bytesDone: done, byteCount: total,
                    tensor: tensor.name))
        }
        let partPath = outputPath + ".part"
        do {
            try writer.write(to: partPath)
        } catch {
            unlink(partPath)
            throw QuantizerError(error.description)
        }
        guard rename(partPath, outputPath) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(partPath)
            throw QuantizerError("Cannot move \(partPath) to \(outputPath): \(reason); check the directory.")
        }
        var status = stat()
        let fileBytes = stat(outputPath, &status) == 0 ? Int(status.st_size) : 0
        return Report(plan: plan, inputTensorBytes: total, outputTensorBytes: written, outputFileBytes: fileBytes)
    }

    /// The tensor's data in `type`: a copy when the type is unchanged, else decoded to floats and requantized
    /// chunk by chunk with the C quantizers (bit for bit ggml's reference quantizers).
    static func convert(_ source: UnsafeRawBufferPointer, tensor: GGUFTensorInfo, to type: TensorType)
        throws(QuantizerError) -> [UInt8]
    {
        if tensor.type == type { return Array(source) }
        let rowLength = tensor.rowLength
        guard let outputRowBytes = type.rowBytes(elements: rowLength), tensor.rowBytes != Int.max,
            tensor.rowCount != Int.max
        else {
            throw QuantizerError(
                "Tensor `\(tensor.name)` has shape \(tensor.shape); rows must be a multiple of \(type.blockSize) "
                    + "elements to become \(type).")
        }
        let rowsPerChunk = max(1, chunkElements / max(rowLength, 1))
        var output = [UInt8](repeating: 0, count: outputRowBytes * tensor.rowCount)
        var floats = [Float](repeating: 0, count: rowsPerChunk * rowLength)
        var row = 0
        var failure: KernelError?
        while row < tensor.rowCount, failure == nil {
            let rows = min(rowsPerChunk, tensor.rowCount - row)
            let count = rows * rowLength
            let input = UnsafeRawBufferPointer(
                rebasing: source[(row * tensor.rowBytes)..<((row + rows) * tensor.rowBytes)])
            let outputRange = (row * outputRowBytes)..<((row + rows) * outputRowBytes)
            floats.withUnsafeMutableBufferPointer { values in
                TensorDecoder.decode(input, type: tensor.type, count: count, into: values)
                output.withUnsafeMutableBytes { out in
                    do throws(KernelError) {
                        try Kernels.best.quantizeWeights(
                            UnsafeBufferPointer(rebasing: values[0..<count]), as: type,
                            into: UnsafeMutableRawBufferPointer(rebasing: out[outputRange]))
                    } catch {
                        failure = error
                    }
                }
            }
            row += rows
        }
        if let failure {
            throw QuantizerError("Cannot convert tensor `\(tensor.name)` to \(type): \(failure.description)")
        }
        return output
    }
}
