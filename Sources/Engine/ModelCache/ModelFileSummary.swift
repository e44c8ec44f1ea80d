/// What `ballast model list` shows about a GGUF file: its architecture, weight type and size.
public struct ModelFileSummary: Sendable, Equatable {
    /// `general.name`, else `general.architecture`, else `unknown`.
    public var name: String
    /// `general.architecture`, or `unknown`.
    public var architecture: String
    /// The weight type `general.file_type` names (such as `Q4_1`), else the most common type of 2-D tensors.
    public var weightType: String
    /// Number of tensors.
    public var tensorCount: Int
    /// Number of weights over all tensors.
    public var parameterCount: Int

    /// Summarizes an opened file.
    public init(file: GGUFFile) {
        let header = file.header
        architecture = header["general.architecture"]?.string ?? "unknown"
        name = header["general.name"]?.string ?? architecture
        tensorCount = header.tensors.count
        parameterCount = header.tensors.reduce(0) { $0 &+ $1.elementCount }
        if let number = header["general.file_type"]?.integer, let type = QuantizationPlan.weightType(ofFileType: number)
        {
            weightType = type.description
        } else {
            var counts: [String: Int] = [:]
            for tensor in header.tensors where tensor.shape.count >= 2 {
                counts[tensor.type.description, default: 0] += 1
            }
            weightType = counts.max { $0.value < $1.value }?.key ?? "unknown"
        }
    }
}
