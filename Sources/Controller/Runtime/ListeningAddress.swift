import Foundation

/// Finds the port a worker started with `--port 0` bound, in its log: `ballast worker` logs
/// `… address=http://127.0.0.1:41234 … listening` once it accepts connections.
enum ListeningAddress {
    /// The port of the first `address=http://host:port` in `log`, or `nil` when there is none yet.
    static func port(in log: some StringProtocol) -> Int? {
        guard let marker = log.range(of: "address=http://") else { return nil }
        let rest = log[marker.upperBound...]
        let address = rest.prefix { !$0.isWhitespace && $0 != "\"" && $0 != "," }
        guard let colon = address.lastIndex(of: ":") else { return nil }
        let digits = address[address.index(after: colon)...]
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let port = Int(digits), (1...65_535).contains(port) else {
            return nil
        }
        return port
    }
}
