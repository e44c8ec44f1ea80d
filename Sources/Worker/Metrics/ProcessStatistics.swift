import Foundation

/// The standard `process_*` numbers of this process, read from `/proc` where it exists and `getrusage` otherwise.
struct ProcessStatistics: Sendable {
    var residentMemoryBytes: Double
    var virtualMemoryBytes: Double
    var cpuSeconds: Double
    var openFileDescriptors: Double?

    static func current() -> ProcessStatistics {
        var usage = rusage()
        #if os(Linux)
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
            getrusage(RUSAGE_SELF, &usage)
        #endif
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
        var resident = Double(usage.ru_maxrss) * 1024
        var virtual = 0.0
        // statm: sizes in pages; the first field is the virtual size, the second the resident set.
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) {
            let fields = statm.split(separator: " ").compactMap { Double($0) }
            let page = Double(sysconf(Int32(_SC_PAGESIZE)))
            if fields.count >= 2 {
                virtual = fields[0] * page
                resident = fields[1] * page
            }
        }
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")).map { Double($0.count) }
        return ProcessStatistics(
            residentMemoryBytes: resident, virtualMemoryBytes: virtual, cpuSeconds: cpu, openFileDescriptors: fds)
    }
}
