import Foundation

/// When training writes its checkpoint (`partial/<key>.h5`, the complete
/// trainer state): after an epoch, once `seconds` of training have passed
/// since the last one and at least `costMultiple` times as long as the last
/// checkpoint took to write — so checkpoints never take more than
/// 1 / `costMultiple` of training time. SmallNet's state (parameters and
/// both Adam moments, 2.2 MB) takes 10–50 ms to write, which every 0.25 s
/// cost mnist-paper's training 6–10 %.
public struct CheckpointPolicy: Sendable, Equatable {
    public var seconds: Double
    public var costMultiple: Double

    public init(seconds: Double, costMultiple: Double) {
        self.seconds = max(0, seconds)
        self.costMultiple = max(0, costMultiple)
    }

    /// The default: after at least a second of training, checkpoints at most 2 % of it.
    public static let standard = CheckpointPolicy(seconds: 1, costMultiple: 50)

    /// `ALFLOW_CHECKPOINT_SECONDS` sets the interval exactly (0: after every
    /// epoch, whatever it costs — the resume tests kill runs between epochs);
    /// unset or unreadable, the standard policy.
    public static func from(environment: [String: String]) -> CheckpointPolicy {
        guard let text = environment["ALFLOW_CHECKPOINT_SECONDS"], let seconds = Double(text), seconds.isFinite else { return .standard }
        return CheckpointPolicy(seconds: seconds, costMultiple: 0)
    }

    /// Whether a checkpoint is due `elapsed` seconds after the last one, which took `lastCost` seconds to write.
    public func due(elapsed: Double, lastCost: Double) -> Bool {
        elapsed >= max(seconds, costMultiple * lastCost)
    }
}
