import CEngineKernels

/// The SIMD instruction set a kernel call runs with.
public enum InstructionSet: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Plain C, on every CPU; the reference the vector paths are tested against.
    case scalar
    /// x86-64 AVX2 with FMA and F16C (Intel Haswell, AMD Zen and later).
    case avx2
    /// ARM Advanced SIMD (every AArch64 CPU).
    case neon

    /// The fastest instruction set this CPU supports: what ``Kernels/best`` uses.
    public static var best: InstructionSet {
        InstructionSet(bk_isa_best()) ?? .scalar
    }

    /// Every instruction set this CPU supports, scalar first.
    public static var available: [InstructionSet] {
        allCases.filter(\.isSupported)
    }

    /// Whether this CPU can run this instruction set.
    public var isSupported: Bool { bk_isa_supported(cValue) != 0 }

    var cValue: bk_isa {
        switch self {
        case .scalar: BK_ISA_SCALAR
        case .avx2: BK_ISA_AVX2
        case .neon: BK_ISA_NEON
        }
    }

    init?(_ value: bk_isa) {
        switch value {
        case BK_ISA_SCALAR: self = .scalar
        case BK_ISA_AVX2: self = .avx2
        case BK_ISA_NEON: self = .neon
        default: return nil
        }
    }

    /// The lower-case name, such as `avx2`.
    public var description: String { rawValue }
}
