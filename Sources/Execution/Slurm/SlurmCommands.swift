import Foundation

/// The Slurm client commands the driver uses (sbatch, squeue, scontrol,
/// scancel), found on PATH. No accounting database is needed: a job is
/// followed through `squeue` while it is queued or running, and its end
/// state is read from `scontrol show job` (kept for MinJobAge seconds).
struct SlurmCommands: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let command: String
        let message: String
        var description: String { "\(command): \(message)" }
    }

    /// A job of ours in the queue.
    struct QueuedJob: Sendable, Equatable {
        let id: String
        let name: String
        let state: String
    }

    /// How a job ended, as `scontrol` reports it.
    struct EndState: Sendable {
        /// COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, PREEMPTED, OUT_OF_MEMORY, BOOT_FAIL, DEADLINE…
        let state: String
        /// `exit:signal`, e.g. "1:0".
        let exitCode: String
        let reason: String

        /// The program itself failed (a stage error, or a node that cannot run
        /// the store's kernel): running it again would fail again.
        var isProgramFailure: Bool {
            let parts = exitCode.split(separator: ":").map { Int($0) ?? 0 }
            let status = parts.first ?? 0, signal = parts.count > 1 ? parts[1] : 0
            // 130: alflow stopped at a safe point after SIGINT/SIGTERM (interrupted, not failed).
            return state == "FAILED" && signal == 0 && status != 0 && status != 130
        }
    }

    /// True when `sbatch` and `squeue` are on PATH.
    static var available: Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return ["sbatch", "squeue"].allSatisfy { tool in
            path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }
        }
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw Failure(command: tool, message: "cannot start it (\(error)); is Slurm's client installed?")
        }
        let errorData = ErrorCollector(errors.fileHandleForReading)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self), errorData.text())
    }

    /// Submits `script`; returns the job id.
    func submit(script: String, name: String, log: String, arguments: [String]) throws -> String {
        let result = try Self.run("sbatch", ["--parsable", "--job-name=\(name)", "--output=\(log)", "--open-mode=append"] + arguments + [script])
        let id = result.output.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        guard result.status == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw Failure(command: "sbatch", message: result.errors.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return id
    }

    /// Our queued and running jobs whose names start with `prefix`.
    func queue(prefix: String) throws -> [QueuedJob] {
        let user = String(getuid())
        let result = try Self.run("squeue", ["--noheader", "--user=\(user)", "--format=%i|%T|%j"])
        guard result.status == 0 else {
            throw Failure(command: "squeue", message: result.errors.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return result.output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "|", maxSplits: 2).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 3, fields[2].hasPrefix(prefix) else { return nil }
            return QueuedJob(id: fields[0], name: fields[2], state: fields[1])
        }
    }

    /// The end state of a job, if the controller still remembers it.
    func endState(_ id: String) -> EndState? {
        guard let result = try? Self.run("scontrol", ["--oneliner", "show", "job", id]), result.status == 0 else { return nil }
        var fields: [String: String] = [:]
        for item in result.output.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            guard let equals = item.firstIndex(of: "=") else { continue }
            let key = String(item[..<equals])
            if fields[key] == nil { fields[key] = String(item[item.index(after: equals)...]) }
        }
        guard let state = fields["JobState"] else { return nil }
        return EndState(state: state, exitCode: fields["ExitCode"] ?? "", reason: fields["Reason"] ?? "")
    }

    func cancel(_ ids: [String]) {
        guard !ids.isEmpty else { return }
        _ = try? Self.run("scancel", ids)
    }
}

/// Reads a pipe to its end on another thread (so that neither pipe of a
/// child can fill up and block it).
private final class ErrorCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        DispatchQueue.global().async {
            let read = handle.readDataToEndOfFile()
            self.lock.lock()
            self.data = read
            self.lock.unlock()
            self.done.signal()
        }
    }

    func text() -> String {
        done.wait()
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}
