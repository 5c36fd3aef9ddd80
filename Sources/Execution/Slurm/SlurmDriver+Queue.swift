import Foundation

/// Following the queue: re-attaching, noticing jobs that ended, cancelling.
extension SlurmDriver {
    /// Jobs of this run still queued or running (an earlier driver's, killed)
    /// are followed instead of submitted again.
    /// Throws when the queue cannot be read: submitting blind could duplicate jobs.
    func attach() throws {
        var attempt = 0
        var queued: [SlurmCommands.QueuedJob] = []
        while true {
            do {
                queued = try commands.queue(prefix: settings.prefix)
                break
            } catch {
                attempt += 1
                if attempt >= 5 { throw error }
                Thread.sleep(forTimeInterval: 1)
            }
        }
        var count = 0
        for entry in queued where jobs[entry.name] == nil {
            let head = String(entry.name.dropFirst(settings.prefix.count))
            let listed = (try? String(contentsOfFile: settings.jobsFolder + "/" + head + ".keys", encoding: .utf8)) ?? ""
            let members = listed.split(separator: "\n").compactMap { graph.id(forKey: String($0)) }
                .filter { assignment[$0] == nil }
                .sorted { graph.position(of: $0) < graph.position(of: $1) }
            guard !members.isEmpty else { continue }
            jobs[entry.name] = Job(id: entry.id, name: entry.name, members: members, log: settings.logsFolder + "/" + head + ".out")
            for member in members { assignment[member] = entry.name }
            count += 1
        }
        if count > 0 {
            work.emit(.warning("re-attached to \(count) Slurm job\(count == 1 ? "" : "s") of an earlier driver of this run (not submitted again)"))
        }
    }

    /// Jobs that left the queue: done, failed (their log is shown), or ended
    /// by the cluster before publishing (submitted again, a bounded number of times).
    func checkQueue() {
        let queued: [SlurmCommands.QueuedJob]
        do {
            queued = try commands.queue(prefix: settings.prefix)
            queueWarned = false
        } catch {
            if !queueWarned { work.emit(.warning("cannot read the Slurm queue (\(error)); retrying")) }
            queueWarned = true
            return
        }
        let live = Dictionary(queued.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for name in Array(jobs.keys).sorted() {
            guard var job = jobs[name] else { continue }
            if let entry = live[name], entry.id == job.id {
                if entry.state == "RUNNING", !job.running {
                    job.running = true
                    jobs[name] = job
                    if let next = job.members.first(where: { !done.contains($0) }) {
                        work.emit(.started(id: next, label: work.stage(next)?.label ?? next))
                    }
                }
                continue
            }
            ended(job)
        }
    }

    private func ended(_ job: Job) {
        // Publication is atomic and happens before the job's process exits.
        for member in job.members where !done.contains(member) {
            if let key = work.stage(member)?.key, work.store.contains(key) {
                record(member, .computed(seconds: work.store.header(key)?.computeSeconds ?? 0))
            }
        }
        jobs.removeValue(forKey: job.name)
        let missing = job.members.filter { !done.contains($0) }
        for member in missing { assignment.removeValue(forKey: member) }
        guard let first = missing.first else { return }
        let end = commands.endState(job.id)
        let how = end.map { "\($0.state), exit code \($0.exitCode)\($0.reason.isEmpty || $0.reason == "None" ? "" : ", \($0.reason)")" }
            ?? "no longer known to the controller"
        let label = work.stage(first)?.label ?? first
        if end?.isProgramFailure == true {
            record(first, .failed("its Slurm job \(job.id) failed (\(how)); the end of \(job.log):\n\(Self.tail(job.log))"))
        } else {
            for member in missing { attempts[member, default: 0] += 1 }
            let count = attempts[first, default: 0]
            if count >= settings.maxAttempts {
                record(first, .failed("its Slurm job ended \(count) times before finishing (last: job \(job.id), \(how)); the end of \(job.log):\n\(Self.tail(job.log))"))
            } else {
                work.emit(.warning("Slurm job \(job.id) (\(label)) ended before finishing (\(how)); submitting its \(missing.count) unfinished stage\(missing.count == 1 ? "" : "s") again (attempt \(count + 1) of \(settings.maxAttempts)); they resume from their checkpoints"))
            }
        }
        for member in missing where taken.contains(member) && !done.contains(member) { enqueueAgain(member) }
    }

    private func enqueueAgain(_ id: String) {
        guard !pending.contains(id) else { return }
        pending.append(id)
        pending.sort { graph.position(of: $0) < graph.position(of: $1) }
    }

    /// Ctrl-C: cancels this driver's jobs and waits until they leave the queue.
    func cancelJobs() {
        let ids = Set(jobs.values.map(\.id))
        guard !ids.isEmpty else { return }
        commands.cancel(ids.sorted())
        waitUntilGone(ids, seconds: 120)
        jobs.removeAll()
    }

    /// The run is complete, but a job publishes its last stage before its
    /// process exits: waits until this driver's jobs have left the queue, so
    /// that none of a finished run is still listed when `alflow run` returns.
    func awaitJobsEnding() {
        waitUntilGone(Set(jobs.values.map(\.id)), seconds: 60)
    }

    /// Polls the queue until none of `ids` is in it, for at most `seconds`.
    private func waitUntilGone(_ ids: Set<String>, seconds: Double) {
        guard !ids.isEmpty else { return }
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            guard let queued = try? commands.queue(prefix: settings.prefix) else { break }
            if !queued.contains(where: { ids.contains($0.id) }) { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }

    /// The last lines of a job's log.
    static func tail(_ path: String, lines: Int = 20) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "  (no log)" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines + 1)
            .filter { !$0.isEmpty }.suffix(lines).map { "  | " + $0 }.joined(separator: "\n")
    }
}
