import ArtifactStore
import Foundation
import Stages
import Workflows

/// Planning speed (issue: workflow language): reading, validating and
/// unrolling a workflow of 3 strategies × 5 seeds × 10 cycles into its DAG
/// with every cache key.
enum PipelineBenchmarks {
    static func planning(repeats: Int) throws -> BenchResult {
        let path = "workflows/quickstart.yaml"
        var stages = 0
        let seconds = try Measure.median(repeats: repeats) {
            let outcome = WorkflowLoader.load(path, overrides: ["seeds=[0, 1, 2, 3, 4]"])
            guard let workflow = outcome.workflow else { throw BenchError("\(path) is invalid") }
            let files = FileDigests(store: nil)
            stages = try StageComputer.plan(workflow) { try SourceLoading.digests($0, files: files) }.stages.count
        }
        return BenchResult(name: "plan-3x5x10", seconds: seconds, flops: nil,
                           detail: "load, validate and plan 3 strategies x 5 seeds x 10 cycles (\(stages) stages, keys included)")
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
