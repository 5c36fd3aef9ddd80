import ArgumentParser
import ArtifactStore
import Execution
import Foundation
import Stages
import Tensors
import Workflows

/// What a Slurm job of `alflow run --executor slurm` runs: plans the workflow
/// again and computes exactly the stages with the given keys into the store,
/// through the same locks and atomic publication as a local run (a stage
/// already stored, or computed by someone else meanwhile, is not computed
/// again; an interrupted one resumes from its checkpoint). Hidden: the
/// driver writes this command line.
struct ExecStageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec-stage", abstract: "Compute the stages with these keys into the store (what a cluster job runs).",
        shouldDisplay: false)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var overrideOptions: OverrideOptions
    @Option(name: .long, help: "The workflow file.") var workflow: String
    @Argument(help: "Stage keys.") var keys: [String]

    func run() throws {
        let store = try storeOptions.open()
        let cancellation = Cancellation()
        Signals.install(cancellation)
        let session = try WorkflowSession.open(workflow, overrides: overrideOptions.overrides, store: store, inspectData: false,
                                               startExternalModel: true, cancellation: cancellation)
        defer { session.external?.shutdown() }
        let plan = session.plan
        try checkPinned(store)
        var byKey: [String: PlannedStage] = [:]
        for stage in plan.stages where byKey[stage.digest] == nil { byKey[stage.digest] = stage }
        let chosen = try keys.map { key in
            guard let stage = byKey[key] else {
                throw Console.fail(ValidationError("no stage of '\(session.workflow.name.value)' has the key \(key)"))
            }
            return stage
        }
        let ids = Set(chosen.map(\.id))
        // Inputs outside the job are in the store already (the driver submits a job when they are).
        let stages = plan.stages.filter { ids.contains($0.id) }.map {
            RunnerStage(id: $0.id, key: $0.digest, inputs: $0.inputs.filter { ids.contains($0) }, label: WorkflowSession.label($0))
        }
        let cpus = Self.allocatedCores(ProcessInfo.processInfo.environment) ?? Parallel.defaultWorkers
        let options = Runner.Options(jobs: 1, perStage: { body in Parallel.withWorkers(cpus) { Parallel.asComputingThread(body) } },
                                     blasCore: BLASRuntime.coreName, blasConfiguration: BLASRuntime.configuration,
                                     alflowVersion: Alflow.version)
        let display = ProgressDisplay(mode: .lines)
        let runner = Runner(store: store, stages: stages, headers: Dictionary(uniqueKeysWithValues: chosen.map {
            ($0.id, Runner.StageHeader(kind: $0.kind.rawValue, parameters: $0.key.specification.json, inputKeys: $0.key.inputs))
        }), options: options, cancellation: cancellation, events: { display.handle($0) })
        let computer = StageComputer(plan: plan, checkpoints: .from(environment: ProcessInfo.processInfo.environment),
                                     external: session.external)
        let injected = Set((ProcessInfo.processInfo.environment["ALFLOW_TEST_FAIL_STAGES"] ?? "").split(separator: ",").map(String.init))
        Console.out("alflow exec-stage: \(stages.count) stages of '\(session.workflow.name.value)' with the \(BLASRuntime.coreName) kernel, \(cpus) core\(cpus == 1 ? "" : "s")")
        let summary = try runner.run(targets: stages.map(\.id)) { stage, context in
            if injected.contains(stage.id) { throw InjectedFailure(stage: stage.id) }
            return try computer.compute(stage, context)
        }
        display.finish()
        Console.out(summary.line)
        for (id, message) in summary.failed { Console.err("alflow: stage \(id) failed: \(message)") }
        if summary.interrupted { throw Console.interrupted }
        if !summary.failed.isEmpty { throw Console.failure }
    }

    /// The cores Slurm gave the job (`--cpus-per-task`, else the job's CPUs
    /// on this node, e.g. "2" or "2(x3)"): its loops use no more, whether or
    /// not the cluster confines it.
    static func allocatedCores(_ environment: [String: String]) -> Int? {
        if let cpus = environment["SLURM_CPUS_PER_TASK"].flatMap(Int.init), cpus > 0 { return cpus }
        let perNode = environment["SLURM_JOB_CPUS_PER_NODE"].map { $0.prefix { $0.isNumber } }.flatMap { Int($0) }
        return perNode.flatMap { $0 > 0 ? $0 : nil }
    }

    /// The store was pinned by the driver; this process must run that kernel
    /// (`NumericsSelection` re-executed it so) or fail saying why.
    private func checkPinned(_ store: ArtifactStore) throws {
        guard let pinned = StoreNumerics.read(root: store.layout.root) else {
            throw Console.fail(StoreError.notWritable(path: store.layout.root, reason: "it pins no BLAS kernel; jobs compute into a store that `alflow run` prepared"))
        }
        guard pinned.blasCore.lowercased() == BLASRuntime.coreName.lowercased() else {
            throw Console.fail(StoreError.notWritable(path: store.layout.root, reason: """
                it pins the BLAS kernel \(pinned.blasCore) but OpenBLAS runs \(BLASRuntime.coreName) on this node (\(ProcessInfo.processInfo.hostName)), \
                so results would differ
                """))
        }
    }
}
