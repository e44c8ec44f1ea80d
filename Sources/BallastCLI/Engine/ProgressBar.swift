import Foundation

/// A progress bar on standard error: redrawn in place on a terminal, a line every quarter otherwise (so logs and
/// tests see a few lines, not thousands).
struct ProgressBar {
    /// What the bar measures, shown before it (such as `quantize`).
    let label: String
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var lastQuarter = -1

    init(label: String) {
        self.label = label
    }

    /// Shows `done` of `total` bytes, with `detail` (such as the current tensor) after the numbers.
    mutating func update(done: Int, total: Int, detail: String = "") {
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let megabytes = String(format: "%.1f/%.1f MB", Double(done) / 1e6, Double(total) / 1e6)
        if isTerminal {
            let filled = Int(fraction * 30)
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: 30 - filled)
            let line = String(format: "%@ [%@] %3d%% %@ %@", label, bar, Int(fraction * 100), megabytes, detail)
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        } else {
            let quarter = Int(fraction * 4)
            guard quarter > lastQuarter else { return }
            lastQuarter = quarter
            printError(String(format: "%@: %3d%% %@", label, Int(fraction * 100), megabytes))
        }
    }

    /// Ends the bar's line on a terminal.
    func finish() {
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
