import ArtifactStore
import Foundation
import Workflows

/// How the driver submits and follows cluster jobs.
public struct SlurmSettings: Sendable {
    /// The alflow executable every job runs (it must be reachable from the nodes).
    public var binary: String
    /// After `exec-stage`: `--store S --workflow W --set …` (the job appends the keys).
    public var stageArguments: [String]
    /// `<store>/slurm/<run>`: job scripts, key lists, logs and the submission log.
    public var runDirectory: String
    /// Names every job of this run (`alflow-<run>-<head key>`), so that a restarted driver finds them.
    public var runID: String
    /// `--partition`, `--account` and the `--sbatch-arg` passthrough.
    public var sbatchArguments: [String]
    /// What each stage's job asks for, by stage id.
    public var resources: [String: ResourceRequest]
    /// Jobs queued or running at once.
    public var maxInFlight: Int
    /// Jobs a stage may be given when the cluster ends them (cancelled, time limit, node failure).
    public var maxAttempts = 3
    /// Stages one job computes at most (a path through the DAG and the leaves off it).
    public var maxChain = 64
    /// How often the store is checked for published results, and the queue read.
    public var storeSeconds = 0.1
    public var queueSeconds = 1.0

    public init(binary: String, stageArguments: [String], runDirectory: String, runID: String, sbatchArguments: [String],
                resources: [String: ResourceRequest], maxInFlight: Int) {
        self.binary = binary
        self.stageArguments = stageArguments
        self.runDirectory = runDirectory
        self.runID = runID
        self.sbatchArguments = sbatchArguments
        self.resources = resources
        self.maxInFlight = max(1, maxInFlight)
    }

    /// The name prefix of this run's jobs.
    var prefix: String { "alflow-\(runID)-" }
    var jobsFolder: String { runDirectory + "/jobs" }
    var logsFolder: String { runDirectory + "/logs" }
    /// One line per `sbatch`: time, job id, job name, stage count.
    public var submissionLog: String { runDirectory + "/submissions.log" }

    /// True when Slurm's client commands are on PATH.
    public static var clientAvailable: Bool { SlurmCommands.available }
}

/// Runs stages as Slurm jobs: each job runs `alflow exec-stage` on a chain of
/// stages (so that small stages do not each pay a job's start-up), publishes
/// into the shared store with the same locks as a local run, and the driver
/// follows the store and the queue. A restarted driver re-attaches to the
/// jobs named for its run; a job the cluster ended before its stages were
/// published is submitted again (and resumes from their checkpoints).
public final class SlurmExecutor: StageExecutor {
    let settings: SlurmSettings

    public init(settings: SlurmSettings) { self.settings = settings }

    public func execute(_ work: ExecutorWork) -> [String: StageOutcome] {
        let driver = SlurmDriver(work: work, settings: settings)
        driver.drive()
        return work.outcomes
    }
}
