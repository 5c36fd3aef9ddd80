import ArtifactStore
import Execution
import Foundation
import HDF5
import Synchronization
import TestSupport
import Testing

/// The scheduler hands out the stage whose chain has the most stages left,
/// ties in plan order, and an evaluation-like leaf with its chain's priority.
@Suite struct SchedulingOrderTests {
    @Test func theLongestChainStartsFirst() throws {
        let dir = try TemporaryDirectory()
        let store = try ArtifactStore(root: dir.path, alflowVersion: "test")
        // Plan order: a root r (as the load and the first selection), a short chain
        // a1 → a2 off it, then a long one b1 → b2 → b3 → b4 with a leaf e on b1
        // (as an evaluation hangs off a training).
        let inputs: [(String, [String])] = [("r", []), ("a1", ["r"]), ("a2", ["a1"]), ("b1", ["r"]), ("e", ["b1"]),
                                            ("b2", ["b1"]), ("b3", ["b2"]), ("b4", ["b3"])]
        let stages = inputs.enumerated().map { index, stage in
            RunnerStage(id: stage.0, key: String(repeating: "0", count: 63) + String(index), inputs: stage.1, label: stage.0)
        }
        let headers = Dictionary(uniqueKeysWithValues: stages.map {
            ($0.id, Runner.StageHeader(kind: "test", parameters: "{}", inputKeys: []))
        })
        let runner = Runner(store: store, stages: stages, headers: headers, options: .init(jobs: 1, alflowVersion: "test"),
                            cancellation: Cancellation(), events: { _ in })
        let started = Mutex<[String]>([])
        let summary = try runner.run(targets: stages.map(\.id)) { stage, _ in
            started.withLock { $0.append(stage.id) }
            return ArtifactContent(arrays: ["x": HDF5Array([Float(1)])])
        }
        #expect(summary.computed == stages.count)
        // After r: b1 (4 stages to the end) before a1 (2, though its input r leads to
        // the longest chain); e (b1's chain less one) and b2 (3) next, e first in
        // plan order; then a1 and b3 (2) in plan order; then a2 and b4.
        #expect(started.withLock { $0 } == ["r", "b1", "e", "b2", "a1", "b3", "a2", "b4"])
    }
}
