import ArgumentParser
import ArtifactStore
import Execution
import Fingerprints
import Foundation
import Workflows

/// `--executor local|slurm` and the Slurm options of `alflow run`.
struct ExecutorOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Where stages are computed: local (this process) or slurm (cluster jobs over a shared store; default: $ALFLOW_EXECUTOR, else local).",
                                            valueName: "local|slurm"))
    var executor: String?
    @Option(name: .long, help: "Slurm partition for the jobs (sbatch --partition).") var partition: String?
    @Option(name: .long, help: "Slurm account charged for the jobs (sbatch --account).") var account: String?
    @Option(name: .customLong("sbatch-arg"), help: ArgumentHelp("Passed to every sbatch as it is, e.g. --sbatch-arg=--qos=short (repeatable).",
                                                                valueName: "argument"))
    var sbatchArguments: [String] = []

    var kind: String { executor ?? ProcessInfo.processInfo.environment["ALFLOW_EXECUTOR"].flatMap { $0.isEmpty ? nil : $0 } ?? "local" }

    func validate() throws {
        guard ["local", "slurm"].contains(kind) else {
            throw ValidationError("--executor (or ALFLOW_EXECUTOR) must be local or slurm, found '\(kind)'")
        }
        if kind == "local", partition != nil || account != nil || !sbatchArguments.isEmpty {
            throw ValidationError("--partition, --account and --sbatch-arg apply to --executor slurm")
        }
    }

    /// nil for the local executor.
    func make(plan: Plan, workflow: Workflow, file: String, overrides: [String], store: ArtifactStore, jobs: Int?) throws -> SlurmExecutor? {
        guard kind == "slurm" else { return nil }
        guard SlurmSettings.clientAvailable else {
            throw Console.fail(ValidationError("--executor slurm needs Slurm's client commands (sbatch, squeue) on PATH"))
        }
        let root = URL(fileURLWithPath: store.layout.root).standardizedFileURL.resolvingSymlinksInPath().path
        let workflowPath = URL(fileURLWithPath: file).standardizedFileURL.resolvingSymlinksInPath().path
        var stageArguments = ["--store", root, "--workflow", workflowPath]
        for value in overrides { stageArguments += ["--set", value] }
        // The run is named by its store and its targets: the same command finds its jobs again.
        let identity = ([root] + plan.targets.compactMap { plan.stage($0)?.digest }).joined(separator: "\n")
        let runID = String(Digest.sha256(Array(identity.utf8)).prefix(12))
        var passthrough: [String] = []
        if let partition { passthrough.append("--partition=\(partition)") }
        if let account { passthrough.append("--account=\(account)") }
        passthrough += sbatchArguments
        var resources: [String: ResourceRequest] = [:]
        for stage in plan.stages { resources[stage.id] = workflow.resources.request(for: stage.kind) }
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let settings = SlurmSettings(binary: binary, stageArguments: stageArguments, runDirectory: root + "/slurm/" + runID, runID: runID,
                                     sbatchArguments: passthrough, resources: resources, maxInFlight: jobs ?? 1000)
        return SlurmExecutor(settings: settings)
    }
}
