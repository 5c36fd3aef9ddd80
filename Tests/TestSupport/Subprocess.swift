import Foundation

/// Runs a program and collects its output (for end-to-end tests).
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    /// True if the process ended by a signal (e.g. SIGKILL) rather than exiting.
    public let signalled: Bool
}

public enum Subprocess {
    /// Starts `executable`; the caller waits or kills.
    public static func start(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                             directory: String? = nil) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return (process, out, err)
    }

    public static func finish(_ process: Process, _ out: Pipe, _ err: Pipe) -> ProcessResult {
        // Drain stderr concurrently so a chatty child never blocks on a full pipe.
        nonisolated(unsafe) var stderr = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            stderr = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                             stderr: String(decoding: stderr, as: UTF8.self),
                             signalled: process.terminationReason == .uncaughtSignal)
    }

    /// Runs to completion.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           directory: String? = nil) throws -> ProcessResult {
        let (process, out, err) = try start(executable, arguments, environment: environment, directory: directory)
        return finish(process, out, err)
    }
}

/// Reads a pipe line by line as a child writes it (for tests that act on a
/// run's `--events` stream while it runs).
public final class LineReader {
    private let handle: FileHandle
    private var buffer = Data()

    public init(_ pipe: Pipe) { handle = pipe.fileHandleForReading }

    /// The next complete line, waiting for it; nil at end of output.
    public func next() -> String? {
        while true {
            if let end = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[buffer.startIndex..<end], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...end)
                return line
            }
            let chunk = handle.availableData
            if chunk.isEmpty { return nil }
            buffer.append(chunk)
        }
    }
}
