import AsyncHTTPClient
import ArgumentParser
import Foundation
import NIOCore
import NIOHTTP1

/// Reads JSON from a running controller's API for `ballast status` and `ballast explain`.
struct ControllerClient {
    /// Base URL such as `http://127.0.0.1:9400`.
    var base: String

    /// The controller's default address: loopback, port 9400.
    static let defaultURL = "http://127.0.0.1:9400"

    /// GETs `path` and decodes the JSON body; errors say how to reach the controller.
    func get<T: Decodable>(_ path: String, as type: T.Type) async throws -> T {
        let url = base.hasSuffix("/") ? String(base.dropLast()) + path : base + path
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
            body = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw ValidationError(
                "Cannot reach the controller at \(base) (\(error)); start it with `ballast controller` or pass "
                    + "--controller URL.")
        }
        let data = Data(body.readableBytesView)
        guard (200..<300).contains(response.status.code) else {
            let message = (try? JSONDecoder().decode([String: String].self, from: data))?["error"]
            throw ValidationError(message ?? "The controller answered HTTP \(response.status.code) for \(path).")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw ValidationError("The controller at \(base) sent an answer this ballast cannot read: \(error).")
        }
    }
}
