import CEngineKernels

/// A weight matrix repacked eight rows at a time (see `bk_packed.c`) for the AVX-512 VNNI matmul, which multiplies
/// a block of eight rows with one activation block in eight instructions and no horizontal sums.
///
/// Made once when a model loads, on CPUs that have the instructions, for Q4_0, Q4_1 and Q8_0 matrices whose row
/// count is a multiple of 8. The packed copy is as large as the original; a model hands the original's mapped
/// pages back to the page cache afterwards (``MappedFile/releasePages(of:)``), so resident memory does not double.
final class PackedWeights: @unchecked Sendable {
    // Sendable because the bytes are written once in `init` and only read afterwards.

    /// The packed bytes.
    let bytes: UnsafeRawBufferPointer
    /// Groups of eight rows.
    let groupCount: Int
    /// Element type of the original rows.
    let type: TensorType
    /// Elements per row.
    let rowLength: Int

    /// Whether this CPU has the packed kernel for `type`.
    static func isSupported(for type: TensorType) -> Bool {
        bk_type(exactly: type).map { bk_packed_supported(BK_ISA_AUTO, $0) != 0 } ?? false
    }

    /// Packs `matrix`, or returns `nil` when this CPU or the matrix's type or shape has no packed kernel.
    init?(_ matrix: WeightMatrix) {
        guard let type = bk_type(exactly: matrix.type), bk_packed_supported(BK_ISA_AUTO, type) != 0,
            let rows = Int32(exactly: matrix.rowCount), let length = Int32(exactly: matrix.rowLength),
            case let size = bk_packed_size(type, rows, length), size > 0, let source = matrix.data.baseAddress
        else { return nil }
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(size), alignment: 64)
        guard let target = storage.baseAddress,
            bk_pack_rows(type, source, matrix.rowBytes, rows, length, target) == 0
        else {
            storage.deallocate()
            return nil
        }
        bytes = UnsafeRawBufferPointer(storage)
        groupCount = matrix.rowCount / 8
        self.type = matrix.type
        rowLength = matrix.rowLength
    }

    deinit {
        UnsafeMutableRawBufferPointer(mutating: bytes).deallocate()
    }

    /// Multiplies the rows of `groups` (group g is rows 8g..<8g+8) with `batch` activation rows of
    /// `activationRowBytes` bytes each (quantized as ``WeightMatrix/activationType``): output
    /// `[b * outputStride + r]` for row r and activation row b. Returns false when the kernel refuses the call (then
    /// nothing was written), so the caller falls back to the row kernels.
    func multiply(
        groups: Range<Int>, activations: UnsafeRawPointer, activationRowBytes: Int, batch: Int,
        output: UnsafeMutablePointer<Float>, outputStride: Int
    ) -> Bool {
        guard let cType = bk_type(exactly: type), let base = bytes.baseAddress, groups.lowerBound >= 0,
            groups.upperBound <= groupCount, let first = Int32(exactly: groups.lowerBound),
            let end = Int32(exactly: groups.upperBound), let length = Int32(exactly: rowLength),
            let rows = Int32(exactly: batch)
        else { return false }
        guard !groups.isEmpty else { return true }
        return bk_matmul_packed(
            BK_ISA_AVX2, cType, base, first, end, length, activations, activationRowBytes, rows, output, outputStride)
            == 0
    }
}
