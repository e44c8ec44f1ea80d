import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sends one streamed completion and reads its server-sent events as they come, reporting each text piece to a
/// watcher, so a test can act while the stream is still open.
enum EventStreamClient {
    /// What one streamed request received.
    struct Received: Sendable {
        /// The HTTP status.
        var status: Int
        /// Every `data:` payload, in order (the last is `[DONE]` when the stream ended properly).
        var events: [String]
        /// Pieces of text the chunks carried (empty pieces not counted).
        var pieces: [String]
        /// `finish_reason` of the chunk that had one.
        var finishReason: String?
        /// `usage.completion_tokens` of the usage chunk.
        var completionTokens: Int?
        /// Why reading failed, when it did.
        var failure: String?
    }

    /// POSTs `body` (with `"stream": true` added) to `url` and reads the stream to its end; `onPiece` is called
    /// with the number of text pieces seen so far after each one.
    static func stream(
        url: String, body: [String: any Sendable], onPiece: @Sendable (Int) async -> Void = { _ in }
    ) async -> Received {
        var received = Received(status: 0, events: [], pieces: [])
        var object: [String: Any] = body.mapValues { $0 as Any }
        object["stream"] = true
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data())))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(300))
            received.status = Int(response.status.code)
            var pending = ""
            for try await buffer in response.body {
                pending += String(buffer: buffer)
                while let end = pending.range(of: "\n\n") {
                    let event = String(pending[..<end.lowerBound])
                    pending = String(pending[end.upperBound...])
                    guard event.hasPrefix("data: ") else { continue }
                    let payload = String(event.dropFirst(6))
                    received.events.append(payload)
                    guard let chunk = (try? JSONSerialization.jsonObject(with: Data(payload.utf8))) as? [String: Any]
                    else { continue }
                    if let usage = chunk["usage"] as? [String: Any], let tokens = usage["completion_tokens"] as? Int {
                        received.completionTokens = tokens
                    }
                    guard let choice = (chunk["choices"] as? [[String: Any]])?.first else { continue }
                    if let finish = choice["finish_reason"] as? String { received.finishReason = finish }
                    let text =
                        (choice["text"] as? String) ?? ((choice["delta"] as? [String: Any])?["content"] as? String)
                    if let text, !text.isEmpty {
                        received.pieces.append(text)
                        await onPiece(received.pieces.count)
                    }
                }
            }
        } catch {
            received.failure = "\(error)"
        }
        return received
    }
}
