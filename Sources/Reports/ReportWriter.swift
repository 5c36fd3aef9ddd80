import ArtifactStore
import Foundation
import Workflows

/// Writes a workflow's report files: `report.html`, one SVG per metric and
/// `results.csv`, in `reports/<workflow>/` of the store (or another folder).
public enum ReportWriter {
    /// A run in progress: its page shows the progress and reloads itself.
    public struct Progress: Sendable {
        public let finished: Int
        public let toCompute: Int

        public init(finished: Int, toCompute: Int) {
            self.finished = finished
            self.toCompute = toCompute
        }
    }

    /// Writes the report; with `progress`, as the live page of a running run.
    @discardableResult
    public static func write(plan: Plan, store: ArtifactStore, folder: String? = nil, progress: Progress? = nil) throws -> String {
        let directory = folder ?? store.layout.reportFolder(plan.workflow.name.value)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError.notWritable(path: directory, reason: "\(error.localizedDescription)")
        }
        let summary = Summary(ResultSet.collect(plan: plan, store: store), cycles: plan.workflow.loop.cycles.value,
                              baseline: plan.workflow.report.baseline?.value, targets: plan.workflow.report.targets?.value ?? [])
        try save(HTMLReport.render(summary, workflow: plan.workflow, progress: progress), directory + "/report.html")
        for metric in summary.results.metrics { try save(SVGChart.render(summary, metric: metric), directory + "/\(metric).svg") }
        try save(TextFormats.csv(summary.results), directory + "/results.csv")
        try save(TextFormats.pairedCSV(summary), directory + "/paired.csv")
        try save(TextFormats.pairwiseCSV(summary), directory + "/pairwise.csv")
        return directory + "/report.html"
    }

    static func save(_ text: String, _ path: String) throws {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw StoreError.writeFailed(path: path, reason: error.localizedDescription)
        }
    }
}
