/// Why a kernel call was refused: its buffers do not match the sizes and types it was asked to work on.
public struct KernelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A full sentence naming the kernel, the argument and the size it needs.
    public let description: String
}
