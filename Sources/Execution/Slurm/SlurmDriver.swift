import ArtifactStore
import Foundation
import Workflows

/// One driver's bookkeeping (single-threaded: it lives for one `execute`).
final class SlurmDriver {
    struct Job {
        let id: String
        let name: String
        /// Stage ids, in plan order.
        let members: [String]
        let log: String
        var running = false
    }

    let work: ExecutorWork
    let settings: SlurmSettings
    let commands = SlurmCommands()
    let graph: JobChains
    /// Stages the scheduler handed out and that have no outcome yet.
    var taken: Set<String> = []
    /// Outcomes known before the scheduler hands the stage out (a chain computed it early).
    var early: [String: StageOutcome] = [:]
    var done: Set<String> = []
    var succeeded: Set<String> = []
    /// Ready stages waiting for a job, in plan order.
    var pending: [String] = []
    /// Stage id → the name of the job computing it.
    var assignment: [String: String] = [:]
    var jobs: [String: Job] = [:]
    var attempts: [String: Int] = [:]
    var queueWarned = false

    init(work: ExecutorWork, settings: SlurmSettings) {
        self.work = work
        self.settings = settings
        graph = JobChains(work: work)
    }

    func drive() {
        for folder in [settings.jobsFolder, settings.logsFolder] {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        // One driver per run: two would both submit what is missing.
        let lockPath = settings.runDirectory + "/driver.lock"
        guard let held = try? FileLock.attempt(lockPath) else {
            return refuse("another alflow driver is running this workflow on this store (\(lockPath) is locked)")
        }
        defer { held.release() }
        do {
            try attach()
        } catch {
            return refuse("cannot read the Slurm queue (\(error))")
        }
        var lastQueue = Date.distantPast
        while true {
            if work.cancellation.isCancelled {
                cancelJobs()
                work.skipRemaining("interrupted")
                return
            }
            takeReady()
            if work.isFinished { return awaitJobsEnding() }
            submitPending()
            checkStore()
            if Date().timeIntervalSince(lastQueue) >= settings.queueSeconds || jobs.values.contains(where: { isComplete($0) }) {
                checkQueue()
                lastQueue = Date()
            }
            takeReady()
            if work.isFinished { return awaitJobsEnding() }
            if jobs.isEmpty && pending.isEmpty && taken.isEmpty {
                work.skipRemaining("inputs did not complete")
                return
            }
            Thread.sleep(forTimeInterval: settings.storeSeconds)
        }
    }

    /// Fails the ready stages (their dependents are skipped) without submitting anything.
    private func refuse(_ reason: String) {
        for id in work.takeReady() { work.finish(id, .failed(reason)) }
        work.skipRemaining(reason)
    }

    // MARK: Outcomes

    private func takeReady() {
        var progress = true
        while progress {
            progress = false
            for id in work.takeReady() {
                progress = true
                if let outcome = early.removeValue(forKey: id) {
                    work.finish(id, outcome)
                } else {
                    taken.insert(id)
                    if assignment[id] == nil { enqueue(id) }
                }
            }
        }
    }

    private func enqueue(_ id: String) {
        guard !pending.contains(id) else { return }
        pending.append(id)
        pending.sort { graph.position(of: $0) < graph.position(of: $1) }
    }

    func record(_ id: String, _ outcome: StageOutcome) {
        guard !done.contains(id) else { return }
        done.insert(id)
        if !SlurmDriver.isFailure(outcome) { succeeded.insert(id) }
        let jobName = assignment.removeValue(forKey: id)
        if taken.remove(id) != nil { work.finish(id, outcome) } else { early[id] = outcome }
        // The job goes on with its next stage.
        if let jobName, let job = jobs[jobName], job.running, let next = job.members.first(where: { !done.contains($0) }) {
            work.emit(.started(id: next, label: work.stage(next)?.label ?? next))
        }
    }

    static func isFailure(_ outcome: StageOutcome) -> Bool {
        if case .failed = outcome { return true }
        if case .skipped = outcome { return true }
        return false
    }

    private func isComplete(_ job: Job) -> Bool { job.members.allSatisfy { done.contains($0) } }

    /// Results published into the store by jobs (or by anyone else).
    private func checkStore() {
        for id in Array(assignment.keys) + pending where !done.contains(id) {
            guard let key = work.stage(id)?.key, work.store.contains(key) else { continue }
            let assigned = assignment[id] != nil
            let seconds = work.store.header(key)?.computeSeconds ?? 0
            pending.removeAll { $0 == id }
            record(id, assigned ? .computed(seconds: seconds) : .computedElsewhere)
        }
    }

    // MARK: Jobs

    private func submitPending() {
        while jobs.count < settings.maxInFlight, !pending.isEmpty {
            let head = pending.removeFirst()
            guard let stage = work.stage(head) else { continue }
            if work.store.contains(stage.key) {
                record(head, .computedElsewhere)
                continue
            }
            let members = graph.chain(from: head, maxLength: settings.maxChain) { id in
                assignment[id] == nil && !done.contains(id) && !pending.contains(id)
            } isDone: { succeeded.contains($0) }
            do {
                let job = try submit(members, head: stage)
                jobs[job.name] = job
                for member in members { assignment[member] = job.name }
            } catch {
                attempts[head, default: 0] += 1
                if attempts[head, default: 0] >= settings.maxAttempts {
                    record(head, .failed("could not submit its job: \(error)"))
                } else {
                    work.emit(.warning("could not submit the job of \(stage.label): \(error); trying again"))
                    enqueue(head)
                    return
                }
            }
        }
    }

    private func submit(_ members: [String], head: RunnerStage) throws -> Job {
        let name = settings.prefix + head.key
        let keys = members.compactMap { work.stage($0)?.key }
        let base = settings.jobsFolder + "/" + head.key
        let keysText = keys.joined(separator: "\n") + "\n"
        try Data(keysText.utf8).write(to: URL(fileURLWithPath: base + ".keys"), options: .atomic)
        let command = ([settings.binary, "exec-stage"] + settings.stageArguments + keys).map(Self.quoted).joined(separator: " ")
        // The driver's own re-execution marker must not reach the job: the job
        // chooses its BLAS kernel itself, from the store's pin, whatever its environment says.
        let script = "#!/bin/sh\n# \(members.count) stages of alflow run \(settings.runID), from \(head.id)\nunset ALFLOW_BLAS_REEXEC\nexec \(command)\n"
        try Data(script.utf8).write(to: URL(fileURLWithPath: base + ".sh"), options: .atomic)
        let log = settings.logsFolder + "/" + head.key + ".out"
        let request = ResourceRequest.combined(members.map { settings.resources[$0] ?? ResourceRequest() })
        let id = try commands.submit(script: base + ".sh", name: name, log: log,
                                     arguments: settings.sbatchArguments + Self.arguments(request))
        let line = "\(Int(Date().timeIntervalSince1970)) \(id) \(name) \(members.count)\n"
        Self.append(line, to: settings.submissionLog)
        return Job(id: id, name: name, members: members, log: log)
    }

    static func arguments(_ request: ResourceRequest) -> [String] {
        var result: [String] = []
        if let cpus = request.cpus { result.append("--cpus-per-task=\(cpus)") }
        if let memory = request.memoryMB { result.append("--mem=\(memory)M") }
        if let gpus = request.gpus, gpus > 0 { result.append("--gres=gpu:\(gpus)") }
        if let minutes = request.minutes { result.append("--time=\(minutes)") }
        return result
    }

    static func quoted(_ text: String) -> String {
        text.allSatisfy({ $0.isLetter || $0.isNumber || "/._-=,:+".contains($0) }) && !text.isEmpty
            ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    static func append(_ line: String, to path: String) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        _ = line.utf8CString.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, $0.count - 1) }
        fsync(descriptor)
    }
}
