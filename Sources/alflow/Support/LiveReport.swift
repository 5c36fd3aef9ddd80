import ArtifactStore
import Execution
import Foundation
import Reports
import Workflows

/// The live report: while a run computes, its HTML report is rewritten
/// (atomically) after evaluate stages — at most once a second — with the
/// curves so far and the run's progress, and the page reloads itself. The
/// report written when the run ends replaces it and no longer reloads.
/// `@unchecked`: every mutable field is read and written only while holding `lock`.
final class LiveReport: @unchecked Sendable {
    private let plan: Plan
    private let store: ArtifactStore
    private let evaluations: Set<String>
    private let lock = NSLock()
    private var toCompute = 0
    private var finished = 0
    private var lastWrite = Date.distantPast

    init(plan: Plan, store: ArtifactStore) {
        self.plan = plan
        self.store = store
        evaluations = Set(plan.stages.filter { $0.kind == .evaluate }.map(\.id))
    }

    func handle(_ event: RunEvent) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .planned(_, let plan):
            toCompute = plan.count
        case .finished(let id, _, _):
            finished += 1
            guard evaluations.contains(id), Date().timeIntervalSince(lastWrite) >= 1 else { return }
            lastWrite = Date()
            // Best effort: the final report is written (and its failure reported) when the run ends.
            _ = try? ReportWriter.write(plan: plan, store: store, progress: ReportWriter.Progress(finished: finished, toCompute: toCompute))
        default:
            break
        }
    }
}
