import ArtifactStore
import Foundation
import TestSupport
import Testing

@Suite(.serialized, .timeLimit(.minutes(3))) struct FailureTests {
    @Test func aFailedStageStopsItsDependentsOnlyAndPublishesNothing() throws {
        let cli = try CLIHarness()
        let workflow = try cli.write("small.yaml", CLIHarness.smallWorkflow)
        let root = cli.store("store")
        let result = try cli.run(["run", workflow, "--store", root], environment: ["ALFLOW_TEST_FAIL_STAGES": "select/entropy/seed0/cycle2"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("stage select/entropy/seed0/cycle2 failed: injected failure"))
        #expect(result.stdout.contains("1 failed"))
        let status = try cli.run(["status", workflow, "--store", root, "--format", "json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])
        func state(_ id: String) -> String? { rows.first { $0["id"] as? String == id }?["state"] as? String }
        #expect(state("select/entropy/seed0/cycle2") == "missing")
        #expect(state("train/entropy/seed0/cycle2") == "missing", "a dependent does not run")
        #expect(state("evaluate/entropy/seed0/cycle3") == "missing")
        #expect(state("evaluate/entropy/seed1/cycle3") == "cached", "the other seed finishes")
        #expect(state("evaluate/noise_stability/seed0/cycle3") == "cached", "other strategies finish")
        #expect(state("train/entropy/seed0/cycle1") == "cached")
        let store = try ArtifactStore(root: root, alflowVersion: "test")
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.layout.temporary).filter { $0.hasSuffix(".h5") }.isEmpty)
        // Without the failure, the next run completes the rest.
        let rerun = try cli.run(["run", workflow, "--store", root, "--quiet"])
        #expect(rerun.status == 0)
        // select 2, train 2, evaluate 2, score 2, select 3, train 3, evaluate 3.
        #expect(CLIHarness.counts(rerun.stdout)?.computed == 7, "\(rerun.stdout)")
    }

    @Test func invalidWorkflowsAndDataExit65WithEveryDiagnostic() throws {
        let cli = try CLIHarness()
        let bad = try cli.write("bad.yaml", CLIHarness.smallWorkflow.replacingOccurrences(of: "epochs: 15", with: "epochs: 0")
            .replacingOccurrences(of: "entropy: {}", with: "entrpy: {}"))
        for command in ["run", "validate", "dag", "status"] {
            let result = try cli.run([command, bad, "--store", cli.store("store")].filter { !(command == "validate" && $0.hasPrefix("--store")) && !(command == "validate" && $0.hasSuffix("store")) })
            #expect(result.status == 65, "\(command)")
            #expect(result.stderr.contains("bad.yaml:9:11: error: 'train.epochs' must be between 1 and 100000, found 0"), "\(command): \(result.stderr)")
            #expect(result.stderr.contains("bad.yaml:18:3: error: unknown strategy 'entrpy'"))
            #expect(result.stderr.contains("hint: did you mean 'entropy'?"))
        }
        // A budget the pool cannot meet is found before anything runs.
        let big = try cli.write("big.yaml", CLIHarness.smallWorkflow.replacingOccurrences(of: "initial: 20", with: "initial: 1250"))
        let result = try cli.run(["validate", big])
        #expect(result.status == 65)
        #expect(result.stderr.contains("the loop needs 1280 labels (initial 1250 + 10 × 3 queries) but the pool holds 1258"))
        #expect(!FileManager.default.fileExists(atPath: cli.store("store") + "/objects/ab"))
        // `run` refuses it the same way against a fresh store, and writes no object there.
        let bigStore = cli.store("big-store")
        let bigRun = try cli.run(["run", big, "--store", bigStore])
        #expect(bigRun.status == 65, "\(bigRun.stderr)")
        #expect(bigRun.stderr.contains("the loop needs 1280 labels (initial 1250 + 10 × 3 queries) but the pool holds 1258"), "\(bigRun.stderr)")
        let written = (FileManager.default.enumerator(atPath: bigStore + "/objects")?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".h5") }
        #expect(written.isEmpty, "objects written by a refused run: \(written)")
        if FileManager.default.fileExists(atPath: bigStore) {
            #expect(try ArtifactStore(root: bigStore, alflowVersion: "test").objectFiles().isEmpty)
        }
        let valid = try cli.run(["validate", try cli.write("ok.yaml", CLIHarness.smallWorkflow)])
        #expect(valid.status == 0 && valid.stdout.contains("valid (79 stages"))
    }

    @Test func usageErrorsExit64AndHelpWorks() throws {
        let cli = try CLIHarness()
        #expect(try cli.run(["run"]).status == 64)
        #expect(try cli.run(["run", "x.yaml", "--jobs", "0"]).status == 64)
        #expect(try cli.run(["frobnicate"]).status == 64)
        let help = try cli.run(["--help"])
        #expect(help.status == 0 && help.stdout.contains("run") && help.stdout.contains("gc"))
        #expect(try cli.run(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
        let missing = try cli.run(["validate", "nowhere.yaml"])
        #expect(missing.status == 65 && missing.stderr.contains("nowhere.yaml: error: no such file"))
    }

    @Test func storeErrorsAreClearMessages() throws {
        let cli = try CLIHarness()
        let workflow = try cli.write("small.yaml", CLIHarness.smallWorkflow)
        try Data().write(to: URL(fileURLWithPath: cli.folder.file("blocker")))
        let blocked = try cli.run(["run", workflow, "--store", cli.folder.file("blocker") + "/store"])
        #expect(blocked.status == 1)
        #expect(blocked.stderr.contains("is not writable"))
        let newer = cli.store("newer")
        try FileManager.default.createDirectory(atPath: newer, withIntermediateDirectories: true)
        try Data("alflow-store-format 9\n".utf8).write(to: URL(fileURLWithPath: newer + "/.alflow-store"))
        let result = try cli.run(["run", workflow, "--store", newer])
        #expect(result.status == 65)
        #expect(result.stderr.contains("written by a newer alflow"))
    }

    /// `--keep FILE` keeps every recorded run of that file (variants with `--set` included) and its current plan.
    @Test func gcKeepsWhatAKeptWorkflowReaches() throws {
        let cli = try CLIHarness()
        let workflow = try cli.write("small.yaml", CLIHarness.smallWorkflow)
        let root = cli.store("store")
        #expect(try cli.run(["run", workflow, "--store", root, "--quiet"]).status == 0)
        // Fewer cycles reuse the same keys; different training does not.
        #expect(try cli.run(["run", workflow, "--store", root, "--quiet", "--set", "loop.cycles=3"]).status == 0)
        #expect(try CLIHarness.objects(root).count == 79)
        #expect(try cli.run(["run", workflow, "--store", root, "--quiet", "--set", "train.epochs=10"]).status == 0)
        let dry = try cli.run(["gc", "--store", root, "--keep", workflow, "--dry-run"])
        #expect(dry.status == 0)
        #expect(dry.stdout.contains("would remove 0 objects"), "\(dry.stdout)")
        let before = try CLIHarness.objects(root).count
        #expect(before > 79)
        let real = try cli.run(["gc", "--store", root, "--keep", workflow])
        #expect(real.status == 0 && !real.stdout.contains("forgot"), "\(real.stdout)")
        #expect(try CLIHarness.objects(root).count == before)
        for extra in [[], ["--set", "train.epochs=10"], ["--set", "loop.cycles=3"]] {
            #expect(CLIHarness.counts(try cli.run(["run", workflow, "--store", root] + extra).stdout)?.computed == 0, "\(extra)")
        }
    }
}
