import ArtifactStore
import Execution
import Foundation
import Synchronization
import Workflows

/// The workers of one external model for one alflow command: the first one
/// answers `describe`; with `worker: persistent` each job slot then keeps
/// its worker for the whole run (a dead one is replaced by a fresh one on
/// the next request), with `per_stage` every request gets a fresh worker.
/// Every request's stderr is kept apart, so a failure shows its own.
public final class ExternalModelRuntime: Sendable {
    public let spec: ExternalModelSpec
    public let description: ModelDescription
    /// Worker logs, and the saved stderr of failed stages (`<key>.log`).
    public let logFolder: String
    /// Where request and output files are written (removed after use).
    public let scratchFolder: String
    private let idle: Mutex<[WorkerProcess]>
    private let counter = Mutex(0)

    /// Starts the first worker and asks it to describe the model.
    public init(spec: ExternalModelSpec, logFolder: String, scratchFolder: String, cancelled: @Sendable () -> Bool = { false }) throws {
        self.spec = spec
        self.logFolder = logFolder
        self.scratchFolder = scratchFolder
        try FileManager.default.createDirectory(atPath: logFolder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: scratchFolder, withIntermediateDirectories: true)
        idle = Mutex([])
        // `description` must be set before `self` is used; ask a worker started here.
        let first = try Self.spawn(spec, logFolder: logFolder, number: 0)
        let (response, line) = try Self.exchange(first, id: 0, op: "describe", fields: [:], timeout: min(spec.timeout.value, 600),
                                                   cancelled: cancelled, stageKey: "describe", logFolder: logFolder)
        description = try ModelDescription(response)
        describeLine = line
        if spec.worker.value == .persistent { idle.withLock { $0.append(first) } } else { first.stop() }
    }

    /// The `describe` answer as the worker wrote it (cached by the caller).
    public let describeLine: String

    /// Sends one request and returns its response; any failure is an
    /// `ExternalStageFailure` carrying the request's stderr.
    public func perform(_ op: String, _ fields: [String: JSONValue], stageKey: String, cancelled: @Sendable () -> Bool) throws -> ExternalResponse {
        let id = counter.withLock { value -> Int in value += 1; return value }
        let worker = try idle.withLock { $0.popLast() } ?? Self.spawn(spec, logFolder: logFolder, number: id)
        do {
            let (response, _) = try Self.exchange(worker, id: id, op: op, fields: fields, timeout: spec.timeout.value, cancelled: cancelled,
                                                    stageKey: stageKey, logFolder: logFolder)
            release(worker)
            return response
        } catch let failure as ExternalStageFailure {
            // A worker that reported an error is still sound; any other failure ended it.
            if case .failed = failure.error, worker.isRunning { release(worker) } else { worker.terminateNow() }
            throw failure
        } catch {
            worker.terminateNow()
            throw error
        }
    }

    /// Stops every idle worker (each exits at the end of its input).
    public func shutdown() {
        let workers = idle.withLock { workers -> [WorkerProcess] in
            defer { workers.removeAll() }
            return workers
        }
        for worker in workers { worker.stop() }
    }

    /// A unique folder for one request's files.
    public func scratch(_ stageKey: String) throws -> String {
        let folder = scratchFolder + "/" + String(stageKey.prefix(16)) + "-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    private func release(_ worker: WorkerProcess) {
        if spec.worker.value == .persistent, worker.isRunning { idle.withLock { $0.append(worker) } } else { worker.stop() }
    }

    // MARK: One request

    static func spawn(_ spec: ExternalModelSpec, logFolder: String, number: Int) throws -> WorkerProcess {
        var environment = ProcessInfo.processInfo.environment
        environment["ALFLOW_PROTOCOL"] = String(ExternalModelSpec.protocolVersion)
        environment["ALFLOW_DEVICE"] = spec.device.value.rawValue
        environment["PYTHONHASHSEED"] = "0"
        environment["PYTHONUNBUFFERED"] = "1"
        environment["CUBLAS_WORKSPACE_CONFIG"] = ":4096:8"
        var arguments = spec.command.value
        if arguments[0].contains("/") { arguments[0] = spec.resolve(arguments[0]) }
        let log = logFolder + "/worker-\(Timestamp.compact())-\(getpid())-\(number).log"
        return try WorkerProcess(arguments: arguments + ["serve"], directory: spec.directory, environment: environment, log: log)
    }

    static func exchange(_ worker: WorkerProcess, id: Int, op: String, fields: [String: JSONValue], timeout: Double,
                         cancelled: () -> Bool, stageKey: String, logFolder: String) throws -> (value: ExternalResponse, line: String) {
        var request = fields
        request["protocol"] = .integer(Int64(ExternalModelSpec.protocolVersion))
        request["id"] = .integer(Int64(id))
        request["op"] = .string(op)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let line = String(decoding: try encoder.encode(request), as: UTF8.self)
        let logStart = Self.size(worker.log)
        func failure(_ error: ExternalModelError) -> ExternalStageFailure {
            let text = Self.text(worker.log, from: logStart)
            var saved: String?
            if !text.isEmpty {
                let path = logFolder + "/" + stageKey + ".log"
                if FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) { saved = path }
            }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: true).suffix(12).map(String.init)
            return ExternalStageFailure(error: error, stderrTail: lines, logPath: saved)
        }
        do {
            try worker.send(line)
        } catch {
            throw failure(.workerDied(worker.exitDescription))
        }
        switch worker.receive(until: Date().addingTimeInterval(timeout), cancelled: cancelled) {
        case .line(let answer):
            do {
                return (try ExternalResponse(line: answer, expectedID: id), answer)
            } catch let error as ExternalModelError {
                throw failure(error)
            }
        case .timedOut:
            worker.terminateNow()
            throw failure(.timedOut(seconds: timeout))
        case .cancelled:
            worker.terminateNow()
            throw Interrupted()
        case .ended:
            usleep(50_000)
            throw failure(.workerDied(worker.exitDescription))
        }
    }

    static func size(_ path: String) -> UInt64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.uint64Value ?? 0
    }

    static func text(_ path: String, from offset: UInt64) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        try? handle.seek(toOffset: offset)
        let data = (try? handle.readToEnd()) ?? Data()
        return String(decoding: data.suffix(1 << 20), as: UTF8.self)
    }
}

extension Timestamp {
    /// `20261204T203015Z`, for file names.
    static func compact() -> String { now().replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "") }
}
