import Foundation
import PromText

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One scrape of one target: the families a page held and when it was taken.
struct Scrape: Sendable {
    /// Target the page came from; becomes the `instance` label, as Prometheus does.
    var instance: String
    /// When the page was taken, in milliseconds since the Unix epoch (logical time for files).
    var timestampMilliseconds: Int64
    /// Parsed page.
    var families: [MetricFamily]
}

/// Where `--metrics` pages come from: a file (one scrape), a directory (successive scrapes) or a URL.
enum MetricsPageSource: Sendable, CustomStringConvertible {
    case file(String)
    case directory(String)
    case url(URL)

    /// Classifies a `--metrics` argument; a missing path is an error that says what was expected.
    init(argument: String) throws {
        if argument.hasPrefix("http://") || argument.hasPrefix("https://") {
            guard let url = URL(string: argument) else {
                throw MetricsSourceError("\(argument) is not a valid URL; write it like http://127.0.0.1:8080/metrics.")
            }
            self = .url(url)
            return
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
            throw MetricsSourceError("\(argument): no such file or directory; pass a metrics page, a directory of pages, or an http:// URL.")
        }
        self = isDirectory.boolValue ? .directory(argument) : .file(argument)
    }

    var description: String {
        switch self {
        case .file(let path), .directory(let path): path
        case .url(let url): url.absoluteString
        }
    }

    /// Reads the pages of this source. Files and directories take logical times `interval` apart ending at `end`;
    /// URLs are fetched `scrapes` times, `interval` apart in real time.
    func read(scrapes: Int, interval: Duration, end: Int64, timeout: Duration) async throws -> [Scrape] {
        let intervalMilliseconds = Int64(interval.components.seconds * 1000) + interval.components.attoseconds / 1_000_000_000_000_000
        switch self {
        case .file(let path):
            return [Scrape(instance: path, timestampMilliseconds: end, families: try Self.parse(try Self.contents(of: path), from: path))]
        case .directory(let path):
            let names = try FileManager.default.contentsOfDirectory(atPath: path)
                .filter { !$0.hasPrefix(".") }
                .sorted()
            guard !names.isEmpty else {
                throw MetricsSourceError("\(path) holds no metric pages; put one page per scrape in it, named in scrape order.")
            }
            return try names.enumerated().map { index, name in
                let file = (path as NSString).appendingPathComponent(name)
                let time = end - Int64(names.count - 1 - index) * intervalMilliseconds
                return Scrape(instance: path, timestampMilliseconds: time, families: try Self.parse(try Self.contents(of: file), from: file))
            }
        case .url(let url):
            var result: [Scrape] = []
            for index in 0..<max(1, scrapes) {
                if index > 0 { try await Task.sleep(for: interval) }
                let body = try await Self.fetch(url, timeout: timeout)
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                result.append(Scrape(instance: url.absoluteString, timestampMilliseconds: now, families: try Self.parse(body, from: url.absoluteString)))
            }
            return result
        }
    }

    private static func contents(of path: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MetricsSourceError("\(path) cannot be read; check its permissions.")
        }
        return data
    }

    private static func parse(_ data: Data, from origin: String) throws -> [MetricFamily] {
        do {
            return try PromTextParser.parse(data)
        } catch {
            throw MetricsSourceError("\(origin): \(error)")
        }
    }

    private static func fetch(_ url: URL, timeout: Duration) async throws -> Data {
        var request = URLRequest(url: url)
        request.timeoutInterval = Double(timeout.components.seconds)
        request.setValue("text/plain;version=0.0.4", forHTTPHeaderField: "Accept")
        let (data, response): (Data, URLResponse)
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw MetricsSourceError("\(url.absoluteString) is unreachable: \(error.localizedDescription)")
        }
        if let http = response as? HTTPURLResponse, http.statusCode != 200 {
            throw MetricsSourceError("\(url.absoluteString) answered HTTP \(http.statusCode); expected 200 with a metrics page.")
        }
        return data
    }
}

/// A problem reading a `--metrics` source, phrased for the person who passed it.
struct MetricsSourceError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
