import ArtifactStore
import Foundation

/// Runs a DAG of stages against the store (design §4–§6): decides what is
/// missing, computes it with up to `jobs` stages at a time, publishes every
/// result atomically, and resumes whatever an earlier run left unfinished.
/// It knows nothing of what the stages compute.
public final class Runner: @unchecked Sendable {
    public struct Options: Sendable {
        /// Stages computed at the same time.
        public var jobs: Int
        /// Stages to recompute even if stored.
        public var force: Set<String>
        /// Only decide; compute nothing.
        public var dryRun: Bool
        /// Wraps each worker's stage computation (the CLI limits compute
        /// threads per job there, so jobs × threads never exceeds the cores).
        public var perStage: @Sendable (() -> Void) -> Void
        /// Recorded in every object (OpenBLAS picks kernels by CPU).
        public var blasCore: String
        public var blasConfiguration: String
        public var alflowVersion: String

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

    public typealias Compute = (RunnerStage, StageContext) throws -> ArtifactContent

    let store: ArtifactStore
    let stages: [RunnerStage]
    let headers: [String: StageHeader]
    let options: Options
    let cancellation: Cancellation
    let emit: (RunEvent) -> Void
    private let positions: [String: Int]

    public init(store: ArtifactStore, stages: [RunnerStage], headers: [String: StageHeader], options: Options,
                cancellation: Cancellation, events: @escaping (RunEvent) -> Void) {
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
    /// object relied on is fully verified here; a damaged one is quarantined
    /// and recomputed.
    public func decide(targets: [String]) throws -> [(id: String, reason: RunReason)] {
        var decided: [String: RunReason?] = [:]
        var order: [String] = []
        func visit(_ id: String) throws {
            guard decided[id] == nil, let index = positions[id] else { return }
            let stage = stages[index]
            var reason: RunReason?
            if options.force.contains(id) {
                reason = .forced
            } else {
                switch try store.read(stage.key) {
                case .hit: reason = nil
                case .missing: reason = store.hasCheckpoint(key: stage.key) ? .interrupted : .missing
                case .quarantined(let why):
                    emit(.warning("\(id): the stored object was damaged (\(why)); moved to quarantine, recomputing"))
                    reason = .damaged
                }
            }
            decided[id] = .some(reason)
            if reason != nil {
                for input in stage.inputs { try visit(input) }
                order.append(id)
            }
        }
        for target in targets { try visit(target) }
        // Plan order is topological; keep it.
        return order.sorted { (positions[$0] ?? 0) < (positions[$1] ?? 0) }.compactMap { id in
            decided[id].flatMap { $0 }.map { (id, $0) }
        }
    }

    // MARK: Running

    public func run(targets: [String], compute: @escaping Compute) throws -> RunSummary {
        store.cleanTemporaryFiles()
        let plan = try decide(targets: targets)
        emit(.planned(total: stages.count, toCompute: plan))
        var summary = RunSummary(total: stages.count, computed: 0, cached: stages.count - plan.count, failed: [], skipped: 0,
                                 interrupted: false, outcomes: [:])
        guard !options.dryRun, !plan.isEmpty else { return summary }
        let scheduler = Scheduler(ids: plan.map(\.id), inputs: { [positions, stages] id in
            positions[id].map { stages[$0].inputs } ?? []
        })
        let outcomes = execute(scheduler, compute: compute)
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
            if !options.force.contains(id), case .hit = try store.read(stage.key) { return .computedElsewhere }
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

/// Hands out stages whose inputs are done, in plan order; a failed or
/// interrupted stage's dependents are skipped.
final class Scheduler: @unchecked Sendable {
    private let condition = NSCondition()
    private var waiting: [String]
    private var running = 0
    private let inputs: [String: [String]]
    private(set) var outcomes: [String: StageOutcome] = [:]

    init(ids: [String], inputs: (String) -> [String]) {
        waiting = ids
        var table: [String: [String]] = [:]
        for id in ids { table[id] = inputs(id).filter { Set(ids).contains($0) } }
        self.inputs = table
    }

    var count: Int { waiting.count }

    /// The next ready stage, waiting while stages run; nil when nothing is left.
    func next(cancelled: () -> Bool) -> String? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if cancelled() { skipAll("interrupted"); return nil }
            var changed = true
            while changed {
                changed = false
                for (position, id) in waiting.enumerated() {
                    let needs = inputs[id] ?? []
                    if let failed = needs.first(where: { Self.unsuccessful(outcomes[$0]) }) {
                        waiting.remove(at: position)
                        outcomes[id] = .skipped("input \(failed) did not complete")
                        changed = true
                        break
                    }
                    if needs.allSatisfy({ outcomes[$0] != nil }) {
                        waiting.remove(at: position)
                        running += 1
                        return id
                    }
                }
            }
            if waiting.isEmpty { return nil }
            if running == 0 { skipAll("inputs did not complete"); return nil }
            condition.wait()
        }
    }

    static func unsuccessful(_ outcome: StageOutcome?) -> Bool {
        switch outcome {
        case .failed, .skipped: return true
        default: return false
        }
    }

    func finish(_ id: String, outcome: StageOutcome) {
        condition.lock()
        outcomes[id] = outcome
        running -= 1
        condition.broadcast()
        condition.unlock()
    }

    private func skipAll(_ reason: String) {
        for id in waiting { outcomes[id] = .skipped(reason) }
        waiting.removeAll()
        condition.broadcast()
    }
}
