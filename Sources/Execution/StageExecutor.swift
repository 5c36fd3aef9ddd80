import ArtifactStore

/// Computes the stages a runner hands out somewhere other than this
/// process's threads (cluster jobs). The runner decides what to compute and
/// keeps the dependency bookkeeping; an executor takes what is ready, gets it
/// computed into the store, and reports each outcome.
public protocol StageExecutor: Sendable {
    /// Returns when every stage of `work` has an outcome (or the run was cancelled).
    func execute(_ work: ExecutorWork) -> [String: StageOutcome]
}

/// The runner's side of an executor's work.
public struct ExecutorWork: Sendable {
    let scheduler: Scheduler
    let stages: [RunnerStage]
    let positions: [String: Int]
    public let store: ArtifactStore
    public let cancellation: Cancellation
    public let emit: @Sendable (RunEvent) -> Void

    /// The stages to compute, in plan order.
    public var ids: [String] { scheduler.planIDs }

    public func stage(_ id: String) -> RunnerStage? { positions[id].map { stages[$0] } }

    /// Every stage whose inputs are done, without waiting; each is running until `finish`.
    public func takeReady() -> [String] { scheduler.takeReady() }

    /// Records a taken stage's outcome, releasing (or skipping) its dependents.
    public func finish(_ id: String, _ outcome: StageOutcome) {
        scheduler.finish(id, outcome: outcome)
        emit(.finished(id: id, label: stage(id)?.label ?? id, outcome: outcome))
    }

    public var isFinished: Bool { scheduler.isFinished }

    /// Marks every stage without an outcome as skipped.
    public func skipRemaining(_ reason: String) { scheduler.skipRemaining(reason) }

    public var outcomes: [String: StageOutcome] { scheduler.outcomes }
}
