import Foundation
import TestSupport
import Testing
import Workflows

func loadWorkflow(_ text: String, overrides: [String] = [], file: String = "w.yaml") throws -> (Workflow?, [Diagnostic]) {
    let dir = try TemporaryDirectory()
    let path = dir.file(file)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    let outcome = WorkflowLoader.load(path, overrides: overrides)
    return (outcome.workflow, outcome.diagnostics)
}

func quickstartText() throws -> String {
    try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("workflows/quickstart.yaml"), encoding: .utf8)
}

func keys(_ workflow: Workflow) -> [String: String] {
    let plan = Planner.shape(workflow)
    return Dictionary(uniqueKeysWithValues: plan.stages.map { ($0.id, $0.digest) })
}

@Suite struct PlanTests {
    @Test func quickstartPlansIntoTheExpectedDAG() throws {
        let (workflow, diagnostics) = try loadWorkflow(try quickstartText())
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.rendered))")
        let plan = Planner.shape(try #require(workflow))
        // 1 load + per seed: 3 shared (select0, train0, evaluate0) + random 27 + entropy 36 + noise_stability 45.
        #expect(plan.stages.count == 1 + 3 * (3 + 27 + 36 + 45))
        let shared = try #require(plan.stage("train/seed0/cycle0"))
        #expect(shared.strategies == ["random", "entropy", "noise_stability"])
        #expect(plan.stage("train/entropy/seed0/cycle0") == nil)
        #expect(plan.stage("perturb/noise_stability/seed2/cycle8") != nil)
        #expect(plan.stage("perturb/noise_stability/seed2/cycle9") == nil, "no query after the last cycle")
        #expect(plan.stage("score/random/seed0/cycle0") == nil, "random needs no score")
        #expect(plan.measurements.count == 3 * 3 * 10)
        #expect(plan.measurements.first { $0.strategy == "entropy" && $0.cycle == 0 }?.stageID == "evaluate/seed0/cycle0")
        #expect(plan.measurements.first { $0.strategy == "entropy" && $0.cycle == 9 }?.labeled == 550)
        // Topological order: every input precedes its stage.
        var seen = Set<String>()
        for stage in plan.stages {
            #expect(stage.inputs.allSatisfy(seen.contains), "\(stage.id)")
            seen.insert(stage.id)
        }
        #expect(Set(plan.stages.map(\.digest)).count == plan.stages.count)
    }

    @Test func keysIgnoreCommentsFormattingKeyOrderAndDescription() throws {
        let base = try #require(try loadWorkflow(try quickstartText()).0)
        let cosmetic = """
        # the same experiment, written differently
        strategies: {random: {}, entropy: {},
                     noise_stability: {samples: 30, noise: 1.0e-3}}   # reordered
        name:   quickstart
        description: "Another description entirely"
        evaluate: [ accuracy ]
        loop: {cycles: 10, query: 50, initial: 100}
        train: {learning_rate: 0.0010, optimizer: adam, batch_size: 32, epochs: 30}
        model:
          mlp:
            hidden:
              - 64
        dataset: {normalize: standardize, test_fraction: 0.30, builtin: digits}
        seeds: [0, 1, 2]
        """
        let other = try #require(try loadWorkflow(cosmetic).0)
        #expect(keys(base) == keys(other))
    }

    @Test(arguments: [
        ("train.epochs=31", "train"), ("train.learning_rate=0.002", "train"), ("model.mlp.hidden=[32]", "train"),
        ("dataset.test_fraction=0.25", "load"), ("dataset.split_seed=3", "load"), ("dataset.normalize=scale", "load"),
        ("loop.initial=90", "select"), ("loop.query=40", "select"), ("loop.candidates=600", "select"),
        ("strategies.noise_stability.noise=0.01", "perturb"), ("strategies.noise_stability.samples=20", "perturb"),
        ("strategies.noise_stability.selection=topk", "select"), ("evaluate=[accuracy, accuracy]", "evaluate"),
    ])
    func everyMeaningfulEditChangesTheKeysItShould(override: String, firstChanged: String) throws {
        let base = keys(try #require(try loadWorkflow(try quickstartText()).0))
        let edited = try loadWorkflow(try quickstartText(), overrides: [override])
        let changed = keys(try #require(edited.0, "\(edited.1.map(\.rendered))"))
        let differing = base.filter { changed[$0.key] != $0.value }.map(\.key)
        #expect(!differing.isEmpty, "\(override) changed nothing")
        #expect(differing.contains { $0.hasPrefix(firstChanged) }, "\(override): \(differing.prefix(3))")
    }

    @Test func changingOneStrategyChangesOnlyItsBranch() throws {
        let base = keys(try #require(try loadWorkflow(try quickstartText()).0))
        let edited = keys(try #require(try loadWorkflow(try quickstartText(), overrides: ["strategies.noise_stability.noise=0.002"]).0))
        let differing = base.filter { edited[$0.key] != $0.value }.map(\.key)
        #expect(differing.allSatisfy { $0.contains("/noise_stability/") }, "\(differing.filter { !$0.contains("/noise_stability/") })")
        #expect(differing.count == 3 * 45, "every stage of the noise_stability branch: \(differing.count)")
    }

    @Test func variantsShareIdenticalPerturbations() throws {
        let text = try quickstartText().replacingOccurrences(of: "  noise_stability: {noise: 0.001, samples: 30}",
                                                                with: "  noise_stability: {noise: 0.001, samples: 30}\n  ns_topk: {noise_stability: {selection: topk}}")
        let plan = Planner.shape(try #require(try loadWorkflow(text).0))
        let perturb = try #require(plan.stage("perturb/noise_stability/seed0/cycle0"))
        #expect(perturb.strategies == ["noise_stability", "ns_topk"])
        #expect(plan.stage("perturb/ns_topk/seed0/cycle0") == nil)
        #expect(plan.stage("perturb/ns_topk/seed0/cycle1") != nil, "later cycles differ (different labelled sets)")
    }

    @Test func overridesAreValidatedAndAppearInDiagnostics() throws {
        let (workflow, diagnostics) = try loadWorkflow(try quickstartText(), overrides: ["loop.cycles=3"])
        #expect(workflow?.loop.cycles.value == 3)
        #expect(workflow?.loop.cycles.origin == "--set loop.cycles=3")
        #expect(diagnostics.isEmpty)
        let (bad, problems) = try loadWorkflow(try quickstartText(), overrides: ["loop.cycles=-1", "trian.epochs=3", "nonsense"])
        #expect(bad == nil)
        #expect(problems.map(\.rendered).contains("--set loop.cycles=-1: error: 'loop.cycles' must be between 1 and 10000, found -1"))
        #expect(problems.contains { $0.message == "unknown key 'trian' in 'workflow'" && $0.hint == "did you mean 'train'?" })
        #expect(problems.contains { $0.message == "an override has the form KEY=VALUE" })
    }

    @Test func defaultsRecordTheirOrigin() throws {
        let workflow = try #require(try loadWorkflow(try quickstartText()).0)
        #expect(workflow.train.gamma.origin == "default")
        #expect(workflow.loop.initial.origin.hasSuffix("w.yaml:26:12"))
        #expect(workflow.dataset.splitSeed.origin == "default")
    }
}
