import Foundation
import TestSupport

/// A real HTTP server on 127.0.0.1 (Python's http.server, started by the
/// test and stopped after), serving the files of a folder under paths that
/// choose a behaviour:
///
///     /good/NAME      the file, with Range requests answered 206
///     /cut/NAME       the first request sends half the body and drops the connection; later ones behave as /good
///     /corrupt/NAME   the file with one byte flipped
///     /short/NAME     the first half only, with a matching Content-Length
///     /slow/NAME      as /good, after a pause (so that concurrent fetches overlap)
///
/// Every request is logged as "PATH RANGE" (RANGE "-" when absent).
final class TestServer {
    let port: Int
    let folder: TemporaryDirectory
    private let process: Process

    static let script = #"""
    import http.server, os, socketserver, sys, threading, time
    root, log = sys.argv[1], sys.argv[2]
    seen, lock = set(), threading.Lock()
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *args): pass
        def do_GET(self):
            _, mode, name = self.path.split("/", 2)
            rng = self.headers.get("Range")
            with lock:
                with open(log, "a") as f: f.write(f"{self.path} {rng or '-'}\n")
                first = (mode, name) not in seen
                seen.add((mode, name))
            try:
                data = open(os.path.join(root, name), "rb").read()
            except OSError:
                self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers(); return
            if mode == "corrupt": data = data[:10] + bytes([data[10] ^ 0xFF]) + data[11:]
            if mode == "short": data = data[: len(data) // 2]
            if mode == "slow": time.sleep(0.5)
            start = 0
            if rng and rng.startswith("bytes=") and mode in ("good", "cut", "slow"):
                start = int(rng[6:].split("-")[0])
            body = data[start:]
            self.send_response(206 if start else 200)
            if start: self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if mode == "cut" and first:
                self.wfile.write(body[: len(body) // 2]); self.wfile.flush()
                self.connection.shutdown(2); self.close_connection = True; return
            self.wfile.write(body)
    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()
    """#

    init() throws {
        folder = try TemporaryDirectory(prefix: "alflow-http")
        try Data(Self.script.utf8).write(to: URL(fileURLWithPath: folder.file("serve.py")))
        try FileManager.default.createDirectory(atPath: folder.file("files"), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: folder.file("requests.log"), contents: nil)
        let (process, out, _) = try Subprocess.start("/usr/bin/env", ["python3", folder.file("serve.py"), folder.file("files"),
                                                                     folder.file("requests.log")])
        self.process = process
        guard let line = LineReader(out).next(), let port = Int(line.trimmingCharacters(in: .whitespaces)) else {
            kill(process.processIdentifier, SIGKILL)
            throw CocoaError(.fileReadCorruptFile)
        }
        self.port = port
    }

    deinit {
        // SIGKILL: the server may have inherited an ignored SIGTERM from the test runner.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Adds a file to serve; returns its bytes.
    @discardableResult
    func add(_ name: String, bytes count: Int, seed: UInt8 = 7) throws -> Data {
        let data = Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) })
        try data.write(to: URL(fileURLWithPath: folder.file("files/" + name)))
        return data
    }

    func url(_ mode: String, _ name: String) -> String { "http://127.0.0.1:\(port)/\(mode)/\(name)" }

    /// The requests so far, as (path, range).
    var requests: [(path: String, range: String)] {
        let text = (try? String(contentsOfFile: folder.file("requests.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map { line in
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            return (parts.first ?? "", parts.count > 1 ? parts[1] : "-")
        }
    }
}
