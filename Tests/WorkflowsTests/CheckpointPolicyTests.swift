import Stages
import Testing

/// Training checkpoints: by default after a second of training and never
/// more than 2 % of it; `ALFLOW_CHECKPOINT_SECONDS` sets the interval exactly.
@Suite struct CheckpointPolicyTests {
    @Test func theDefaultBoundsCheckpointsByTheirCost() {
        let policy = CheckpointPolicy.from(environment: [:])
        #expect(policy == .standard)
        #expect(!policy.due(elapsed: 0.5, lastCost: 0))
        #expect(policy.due(elapsed: 1, lastCost: 0))
        #expect(policy.due(elapsed: 1, lastCost: 0.01))
        // A checkpoint that took 50 ms waits 2.5 s for the next.
        #expect(!policy.due(elapsed: 2.4, lastCost: 0.05))
        #expect(policy.due(elapsed: 2.5, lastCost: 0.05))
    }

    @Test func anExplicitIntervalIsExact() {
        let everyEpoch = CheckpointPolicy.from(environment: ["ALFLOW_CHECKPOINT_SECONDS": "0"])
        #expect(everyEpoch.due(elapsed: 0, lastCost: 10))
        let slow = CheckpointPolicy.from(environment: ["ALFLOW_CHECKPOINT_SECONDS": "30"])
        #expect(!slow.due(elapsed: 29, lastCost: 0) && slow.due(elapsed: 30, lastCost: 1))
        #expect(CheckpointPolicy.from(environment: ["ALFLOW_CHECKPOINT_SECONDS": "soon"]) == .standard)
    }
}
