import ArgumentParser
import ArtifactStore
import Execution
import DataCatalog
import Foundation
import Reports
import Stages
import Tensors
import Workflows

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a workflow: compute what is missing, resume what was interrupted, write the report.")

    @Argument(help: "Workflow files.") var files: [String]
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var overrideOptions: OverrideOptions
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var executorOptions: ExecutorOptions
    @Option(name: .long, help: "Stages computed at the same time (default: the number of cores; with --executor slurm, jobs in the queue at once, default 1000); each stage's loops use every core the others leave free.")
    var jobs: Int?
    @Option(name: .long, help: ArgumentHelp("Resident memory to plan for, e.g. 1G or 512M (default: $ALFLOW_MEMORY, else no limit): a quarter caches decoded data, and stages start only while their working sets fit in the rest.",
                                            valueName: "LIMIT"))
    var memory: String?
    @Flag(name: .long, help: "Show what would run, and why; compute nothing.") var dryRun = false
    @Flag(name: .long, help: "No progress output (the final summary is still printed).") var quiet = false
    @Flag(name: .long, help: "Progress as one JSON object per line on standard error (planned, started, progress, finished, warning).")
    var events = false
    @Option(name: .long, help: "Recompute this stage even if stored (repeatable).") var force: [String] = []
    @Option(name: .long, help: ArgumentHelp("For a new store: native (the fastest BLAS kernel here) or portable (Haswell, any AVX2+FMA machine); the store pins it.",
                                            valueName: "native|portable"))
    var numerics: String = "native"

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if !["native", "portable"].contains(numerics) { throw ValidationError("--numerics must be native or portable") }
        if let text = memoryText, MemoryLimit(text) == nil {
            throw ValidationError("--memory (or ALFLOW_MEMORY) must be a size of at least 64M, such as 1G or 512M; got '\(text)'")
        }
    }

    /// `--memory`, else `$ALFLOW_MEMORY`.
    private var memoryText: String? { memory ?? ProcessInfo.processInfo.environment["ALFLOW_MEMORY"].flatMap { $0.isEmpty ? nil : $0 } }

    func run() throws {
        // A dry run only reads: it writes no manifest, moves nothing aside, creates no store.
        let store = dryRun ? try storeOptions.openReadOnly() : try storeOptions.open()
        let cancellation = Cancellation()
        Signals.install(cancellation)
        var worst: ExitCode = .success
        for file in files {
            let code = try runOne(file, store: store, cancellation: cancellation)
            if code == Console.interrupted { throw code }
            if code != .success { worst = code }
        }
        if worst != .success { throw worst }
    }

    private func runOne(_ file: String, store: ArtifactStore, cancellation: Cancellation) throws -> ExitCode {
        let session = try WorkflowSession.open(file, overrides: overrideOptions.overrides, store: store, inspectData: true,
                                               startExternalModel: !dryRun && executorOptions.kind == "local", cancellation: cancellation)
        defer { session.external?.shutdown() }
        let plan = session.plan
        let cores = Parallel.defaultWorkers
        let jobCount = max(1, jobs ?? cores)
        let live = LiveReport(plan: plan, store: store)
        let display = ProgressDisplay(mode: quiet ? .quiet : events ? .events : (Console.standardErrorIsTerminal ? .live : .lines))
        var options = Runner.Options(jobs: jobCount, force: Set(force), dryRun: dryRun,
                                     perStage: { body in Parallel.asComputingThread(body) },
                                     blasCore: BLASRuntime.coreName, blasConfiguration: BLASRuntime.configuration,
                                     alflowVersion: Alflow.version)
        let computer = StageComputer(plan: plan, checkpoints: .from(environment: ProcessInfo.processInfo.environment),
                                     external: session.external)
        if let limit = memoryText.flatMap(MemoryLimit.init) {
            options.memoryLimit = limit
            ObjectCache.shared.budget = limit.cacheBudget
        }
        let runner = Runner(store: store, stages: plan.stages.map { stage in
                                RunnerStage(id: stage.id, key: stage.digest, inputs: stage.inputs, label: WorkflowSession.label(stage),
                                            workingSet: { computer.workingSet(stage.id, store: store) })
                            },
                            headers: Dictionary(uniqueKeysWithValues: plan.stages.map {
                                ($0.id, Runner.StageHeader(kind: $0.kind.rawValue, parameters: $0.key.specification.json, inputKeys: $0.key.inputs))
                            }),
                            options: options, cancellation: cancellation, events: { event in
                                display.handle(event)
                                live.handle(event)
                            })
        // Testing hook: stages named here fail, to exercise failure handling end to end.
        let injected = Set((ProcessInfo.processInfo.environment["ALFLOW_TEST_FAIL_STAGES"] ?? "").split(separator: ",").map(String.init))
        for id in force where plan.stage(id) == nil {
            Console.err("alflow: warning: --force \(id): no such stage in '\(session.workflow.name.value)'")
        }
        if dryRun {
            let decisions = try runner.decide(targets: plan.targets)
            Console.out("\(session.workflow.name.value): \(plan.stages.count) stages, \(decisions.count) to compute")
            for (id, reason) in decisions { Console.out("  \(reason.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) \(id)") }
            return .success
        }
        try fetchData(session, plan: plan, store: store)
        try checkNumerics(store)
        let manifest = RunManifest(workflow: session.workflow.name.value, file: session.workflow.file, overrides: overrideOptions.overrides,
                                   created: Timestamp.now(),
                                   stages: plan.stages.map { RunManifest.Stage(id: $0.id, kind: $0.kind.rawValue, key: $0.digest) })
        let running = try store.markRunning(manifest)
        defer { running.release() }
        try store.writeManifest(manifest)
        let executor = try executorOptions.make(plan: plan, workflow: session.workflow, file: file, overrides: overrideOptions.overrides,
                                                store: store, jobs: jobs)
        let summary = try runner.run(targets: plan.targets, executor: executor) { stage, context in
            if injected.contains(stage.id) { throw InjectedFailure(stage: stage.id) }
            return try computer.compute(stage, context)
        }
        display.finish()
        Console.out("\(session.workflow.name.value): \(summary.line)")
        do {
            let report = try ReportWriter.write(plan: plan, store: store)
            Console.out("report: \(report)")
        } catch {
            Console.err("alflow: warning: the report could not be written: \(error)")
        }
        for (id, message) in summary.failed { Console.err("alflow: stage \(id) failed: \(message)") }
        if summary.interrupted {
            Console.err("alflow: interrupted; run the same command again to resume")
            return Console.interrupted
        }
        return summary.failed.isEmpty ? .success : Console.failure
    }
}

extension RunCommand {
    /// The first computation pins the kernel this process runs; a later one
    /// must run the pinned kernel (`NumericsSelection` re-executed it so).
    func checkNumerics(_ store: ArtifactStore) throws {
        let running = BLASRuntime.coreName
        let pinned = try store.pin(StoreNumerics(blasCore: running, mode: numerics))
        guard pinned.blasCore.lowercased() == running.lowercased() else {
            throw Console.fail(StoreError.notWritable(path: store.layout.root, reason: """
                it pins the BLAS kernel \(pinned.blasCore) but OpenBLAS runs \(running) here, so results would differ; \
                rerun the command (alflow re-executes itself with the pinned kernel), or use another --store
                """))
        }
    }

    /// A data set known by name is fetched (and verified) before the run
    /// unless its load stage is already stored.
    func fetchData(_ session: WorkflowSession, plan: Plan, store: ArtifactStore) throws {
        guard case .builtin(let name) = session.workflow.dataset.source.value, let known = KnownDataset.named(name), !known.files.isEmpty,
              let load = plan.stages.first(where: { $0.kind == .load }), !store.contains(load.digest) else { return }
        do {
            _ = try dataOptions.fetcher(store: store.layout.root).fetch(known)
        } catch {
            throw Console.fail(error)
        }
    }
}

/// A failure requested through ALFLOW_TEST_FAIL_STAGES.
struct InjectedFailure: Error, CustomStringConvertible {
    let stage: String
    var description: String { "injected failure (ALFLOW_TEST_FAIL_STAGES)" }
}
