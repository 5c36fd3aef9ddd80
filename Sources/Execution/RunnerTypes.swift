import ArtifactStore
import Foundation

/// A node as the runner sees it: an id, a key, and the ids it depends on.
public struct RunnerStage: Sendable {
    public let id: String
    public let key: String
    public let inputs: [String]
    /// A short human label for progress lines, e.g. "train entropy seed 2 cycle 4".
    public let label: String
    /// The bytes the stage will hold while it runs, stated from the shapes
    /// of its inputs (asked once its inputs are stored; only under `--memory`).
    public let workingSet: @Sendable () -> Int

    public init(id: String, key: String, inputs: [String], label: String, workingSet: @escaping @Sendable () -> Int = { 0 }) {
        self.id = id
        self.key = key
        self.inputs = inputs
        self.label = label
        self.workingSet = workingSet
    }
}

/// Why a stage runs.
public enum RunReason: String, Sendable {
    case missing
    /// A checkpoint of an interrupted computation exists; it resumes from it.
    case interrupted
    /// The stored object was damaged; it was quarantined.
    case damaged
    case forced
}

/// What happened to a stage in a run.
public enum StageOutcome: Sendable, Equatable {
    case cached
    case computed(seconds: Double)
    /// Another process computed it while this one waited for its lock.
    case computedElsewhere
    case failed(String)
    /// Not run because an input failed or the run was interrupted.
    case skipped(String)
}

/// Progress and results, for the command line to show.
public enum RunEvent: Sendable {
    case planned(total: Int, toCompute: [(id: String, reason: RunReason)])
    case started(id: String, label: String)
    case progress(id: String, fraction: Double, message: String)
    case finished(id: String, label: String, outcome: StageOutcome)
    case warning(String)
}

public struct RunSummary: Sendable {
    public var total: Int
    public var computed: Int
    public var cached: Int
    public var failed: [(id: String, message: String)]
    public var skipped: Int
    public var interrupted: Bool
    public var outcomes: [String: StageOutcome]

    /// `N stages: C computed, H cached` (and failures if any).
    public var line: String {
        var text = "\(total) stages: \(computed) computed, \(cached) cached"
        if !failed.isEmpty { text += ", \(failed.count) failed" }
        if skipped > 0 { text += ", \(skipped) not run" }
        return text
    }
}

/// What a stage's computation gets from the runner.
public final class StageContext: Sendable {
    public let stage: RunnerStage
    public let store: ArtifactStore
    public let cancellation: Cancellation
    private let emit: @Sendable (RunEvent) -> Void

    init(stage: RunnerStage, store: ArtifactStore, cancellation: Cancellation, emit: @escaping @Sendable (RunEvent) -> Void) {
        self.stage = stage
        self.store = store
        self.cancellation = cancellation
        self.emit = emit
    }

    public func progress(_ fraction: Double, _ message: String) {
        emit(.progress(id: stage.id, fraction: fraction, message: message))
    }

    public func warn(_ message: String) { emit(.warning(message)) }
}
