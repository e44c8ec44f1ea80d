import BallastTestSupport
import Foundation

/// A small OpenAI-style streaming server in Python, for what a real worker cannot be made to do on demand:
/// hold every request until a given number are open at once, break a stream with llama.cpp's `error:` event, or
/// cut a stream short. It writes CR LF line ends and `data:` without a space, as the SSE standard allows.
final class FakeStreamServer {
    /// How the server answers `POST /v1/completions`.
    enum Style: String, CaseIterable, Sendable {
        /// Holds requests until `count` are open at once (a 503 after 30 s if they never are), then answers every
        /// request with three tokens.
        case barrier
        /// One token, then an `error:` event, then `[DONE]`.
        case error
        /// One token, then the body ends: no finish reason and no `[DONE]`.
        case cut
        /// Answers the first request of each connection with three tokens and keeps the connection open, then
        /// closes it on the next request without an answer, as llama.cpp's server does with kept-alive connections.
        case oneAnswerPerConnection
        /// Answers the first request with three tokens, then the process exits: later connections are refused.
        case quitAfterOne
    }

    static let script = """
        import http.server, json, os, sys, threading
        style, count, port_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        barrier = threading.Barrier(count, timeout=30)
        released = threading.Event()

        def event(payload):
            return b"data:" + json.dumps(payload).encode() + b"\\r\\n\\r\\n"

        def chunk(text, finish=None):
            choice = {"index": 0, "text": text, "finish_reason": finish}
            return event({"object": "text_completion", "choices": [choice]})

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def answer(self, status, body, kind):
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                self.answer(200, json.dumps({"object": "list", "data": [{"id": "fake"}]}).encode(), "application/json")

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if style == "oneAnswerPerConnection":
                    if getattr(self, "answered", False):
                        self.close_connection = True
                        return
                    self.answered = True
                if style == "barrier" and not released.is_set():
                    try:
                        barrier.wait()
                    except threading.BrokenBarrierError:
                        self.answer(503, b"{}", "application/json")
                        return
                    released.set()
                if style in ("barrier", "oneAnswerPerConnection", "quitAfterOne"):
                    body = chunk("a") + chunk("b") + chunk("c", "length") + event(
                        {"choices": [], "usage": {"prompt_tokens": 2, "completion_tokens": 3, "total_tokens": 5}}) \\
                        + b"data: [DONE]\\r\\n\\r\\n"
                elif style == "error":
                    failure = b'error: {"code": 500, "message": "the slot failed"}\\r\\n\\r\\n'
                    body = chunk("a") + failure + b"data: [DONE]\\r\\n\\r\\n"
                else:
                    body = chunk("a")
                self.answer(200, body, "text/event-stream")
                if style == "quitAfterOne":
                    self.wfile.flush()
                    os._exit(0)

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        with open(port_file + ".part", "w") as f:
            f.write(str(server.server_address[1]))
        os.rename(port_file + ".part", port_file)
        server.serve_forever()
        """

    let directory: URL
    let wrapper: Process
    let port: Int

    /// The base URL.
    var base: String { "http://127.0.0.1:\(port)" }

    /// Starts a server of `style` (`count` is the barrier's size) and returns once it listens.
    init(style: Style, count: Int = 1) async throws {
        guard let python = Tool.which("python3") else { throw Tool.Missing(tool: "python3") }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-fake-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let portFile = directory.appendingPathComponent("port")
        let log = directory.appendingPathComponent("server.log")
        let wrapper = try ChildProcess.launch(
            python, ["-c", Self.script, style.rawValue, String(count), portFile.path], limitSeconds: 300, log: log,
            in: directory)
        self.wrapper = wrapper
        do {
            port = try await waitForValue("the fake server's port file", timeout: .seconds(30)) {
                guard wrapper.isRunning else {
                    throw BallastBinary.SetupError(
                        description: "The fake server exited: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
                }
                return (try? String(contentsOf: portFile, encoding: .utf8)).flatMap { Int($0) }
            }
        } catch {
            ChildProcess.kill(wrapper)
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// Kills the server and removes its directory.
    func stop() {
        ChildProcess.kill(wrapper)
        try? FileManager.default.removeItem(at: directory)
    }
}
