import ArtifactStore
import Foundation

/// Runs a DAG of stages against the store (docs/architecture.md §5, §6): decides what is
/// missing, computes it with up to `jobs` stages at a time, publishes every
/// result atomically, and resumes whatever an earlier run left unfinished.
/// It knows nothing of what the stages compute.
public final class Runner: Sendable {
    public struct Options: Sendable {
        /// Stages computed at the same time.
        public var jobs: Int
        /// Stages to recompute even if stored.
        public var force: Set<String>
        /// Only decide; compute nothing.
        public var dryRun: Bool
        /// Wraps each worker's stage computation (the CLI registers it there as
        /// a computing thread of the process-wide core budget).
        public var perStage: @Sendable (() -> Void) -> Void
        /// Recorded in every object (OpenBLAS picks kernels by CPU).
        public var blasCore: String
        public var blasConfiguration: String
        public var alflowVersion: String
        /// `--memory`: stages start only while their working sets fit.
        public var memoryLimit: MemoryLimit?

        public init(jobs: Int, force: Set<String> = [], dryRun: Bool = false, perStage: @escaping @Sendable (() -> Void) -> Void = { $0() },
                    blasCore: String = "", blasConfiguration: String = "", alflowVersion: String) {
            self.jobs = max(1, jobs)
            self.force = force
            self.dryRun = dryRun
            self.perStage = perStage
            self.blasCore = blasCore
            self.blasConfiguration = blasConfiguration
            self.alflowVersion = alflowVersion
        }
    }

    /// Stage metadata for the object header.
    public struct StageHeader: Sendable {
        public let kind: String
        public let parameters: String
        public let inputKeys: [String]

        public init(kind: String, parameters: String, inputKeys: [String]) {
            self.kind = kind
            self.parameters = parameters
            self.inputKeys = inputKeys
        }
    }

    public typealias Compute = @Sendable (RunnerStage, StageContext) throws -> ArtifactContent

    let store: ArtifactStore
    let stages: [RunnerStage]
    let headers: [String: StageHeader]
    let options: Options
    let cancellation: Cancellation
    let emit: @Sendable (RunEvent) -> Void
    private let positions: [String: Int]

    public init(store: ArtifactStore, stages: [RunnerStage], headers: [String: StageHeader], options: Options,
                cancellation: Cancellation, events: @escaping @Sendable (RunEvent) -> Void) {
        self.store = store
        self.stages = stages
        self.headers = headers
        self.options = options
        self.cancellation = cancellation
        self.emit = events
        var positions: [String: Int] = [:]
        for (index, stage) in stages.enumerated() { positions[stage.id] = index }
        self.positions = positions
    }

    // MARK: Deciding

    /// Which stages must run for `targets` to exist, and why. Every stored
    /// object of the plan is fully verified here, needed or not: a damaged
    /// one is recomputed (and quarantined first unless the store is
    /// read-only) so that the provenance of every result stays complete.
    public func decide(targets: [String]) throws -> [(id: String, reason: RunReason)] {
        var reasons = [RunReason?](repeating: nil, count: stages.count)
        var damaged: [Int] = []
        for (index, stage) in stages.enumerated() {
            if options.force.contains(stage.id) { reasons[index] = .forced; continue }
            switch try store.verify(stage.key) {
            case .hit: reasons[index] = nil
            case .missing: reasons[index] = store.hasCheckpoint(key: stage.key) ? .interrupted : .missing
            case .damaged(let why):
                let action = store.isReadOnly ? "would be moved to quarantine and recomputed" : "moved to quarantine, recomputing"
                emit(.warning("\(stage.id): the stored object was damaged (\(why)); \(action)"))
                reasons[index] = .damaged
                damaged.append(index)
            }
        }
        // What must run: the targets that are not stored, every damaged or
        // forced stage, and the unstored inputs each of those needs.
        var needed = [Bool](repeating: false, count: stages.count)
        var stack = targets.compactMap { positions[$0] } + damaged
        stack += stages.indices.filter { reasons[$0] == .forced }
        while let index = stack.popLast() {
            guard !needed[index], reasons[index] != nil else { continue }
            needed[index] = true
            stack += stages[index].inputs.compactMap { positions[$0] }
        }
        // Plan order is topological; keep it.
        return stages.indices.compactMap { index in
            guard needed[index], let reason = reasons[index] else { return nil }
            return (stages[index].id, reason)
        }
    }

    // MARK: Running

    public func run(targets: [String], compute: @escaping Compute) throws -> RunSummary {
        try run(targets: targets, executor: nil, compute: compute)
    }

    /// With an executor, stages are computed elsewhere (cluster jobs) instead
    /// of by this process's threads; `compute` is then not called.
    public func run(targets: [String], executor: (any StageExecutor)?, compute: @escaping Compute) throws -> RunSummary {
        store.cleanTemporaryFiles()
        let plan = try decide(targets: targets)
        emit(.planned(total: stages.count, toCompute: plan))
        var summary = RunSummary(total: stages.count, computed: 0, cached: stages.count - plan.count, failed: [], skipped: 0,
                                 interrupted: false, outcomes: [:])
        guard !options.dryRun, !plan.isEmpty else { return summary }
        let scheduler = Scheduler(ids: plan.map(\.id), inputs: { [positions, stages] id in
            positions[id].map { stages[$0].inputs } ?? []
        }, memory: options.memoryLimit?.stageBudget, workingSet: { [positions, stages] id in
            positions[id].map { stages[$0].workingSet() } ?? 0
        })
        if let limit = options.memoryLimit {
            scheduler.onHoldBack = { [emit] in emit(.warning("--memory \(limit.text): running fewer stages at once")) }
        }
        let outcomes = executor.map { $0.execute(ExecutorWork(scheduler: scheduler, stages: stages, positions: positions, store: store,
                                                              cancellation: cancellation, emit: emit)) }
            ?? execute(scheduler, compute: compute)
        summary.outcomes = outcomes
        for id in plan.map(\.id) {
            switch outcomes[id] {
            case .computed: summary.computed += 1
            case .cached, .computedElsewhere: summary.cached += 1
            case .failed(let message): summary.failed.append((id, message))
            case .skipped, .none: summary.skipped += 1
            }
        }
        summary.interrupted = cancellation.isCancelled
        return summary
    }

    private func execute(_ scheduler: Scheduler, compute: @escaping Compute) -> [String: StageOutcome] {
        let group = DispatchGroup()
        for _ in 0..<min(options.jobs, scheduler.count) {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                while let id = scheduler.next(cancelled: { self.cancellation.isCancelled }) {
                    var outcome = StageOutcome.skipped("not run")
                    options.perStage {
                        outcome = self.runStage(id, compute: compute)
                    }
                    scheduler.finish(id, outcome: outcome)
                    emit(.finished(id: id, label: positions[id].map { stages[$0].label } ?? id, outcome: outcome))
                }
            }
            thread.stackSize = 16 << 20
            thread.start()
        }
        group.wait()
        return scheduler.outcomes
    }

    private func runStage(_ id: String, compute: Compute) -> StageOutcome {
        guard let index = positions[id] else { return .failed("unknown stage") }
        let stage = stages[index]
        do {
            let held = try store.lock(stage.key)
            defer { held.release() }
            // Another process may have computed it while this one waited.
            if !options.force.contains(id), case .hit = try store.verify(stage.key) { return .computedElsewhere }
            try cancellation.check()
            emit(.started(id: id, label: stage.label))
            let start = Date()
            let context = StageContext(stage: stage, store: store, cancellation: cancellation, emit: emit)
            let content = try compute(stage, context)
            let seconds = Date().timeIntervalSince(start)
            let meta = headers[id]
            let header = ArtifactHeader(kind: meta?.kind ?? "stage", key: stage.key, parameters: meta?.parameters ?? "{}",
                                        inputs: meta?.inputKeys ?? [], alflowVersion: options.alflowVersion, created: Timestamp.now(),
                                        blasCore: options.blasCore, blasConfiguration: options.blasConfiguration, computeSeconds: seconds)
            try store.publish(header, content)
            store.removeCheckpoint(key: stage.key)
            return .computed(seconds: seconds)
        } catch is Interrupted {
            return .skipped("interrupted")
        } catch {
            return .failed("\(error)")
        }
    }
}
