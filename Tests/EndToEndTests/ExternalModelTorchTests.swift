import ArtifactStore
import Foundation
import Testing
import TestSupport

/// A tiny PyTorch model (models/tiny_mlp.py through the alflow_model helper)
/// on the bundled digits: every strategy, exact resume after `kill -9`,
/// recomputation exactly where the model's file changed.
@Suite("External models: PyTorch", .serialized, .enabled(if: Tools.python("torch", "h5py", "numpy")))
struct ExternalModelTorchTests {
    static let root = TestPaths.packageRoot.path
    /// The helper from this checkout (no `pip install` needed).
    static let environment = ["PYTHONPATH": root + "/python"]

    static func workflow(name: String, model: String, sources: String, strategies: [String], epochs: Int = 4, cycles: Int = 2) -> String {
        """
        name: \(name)
        seeds: [0]
        dataset: {builtin: digits, test_fraction: 0.3}
        model:
          external:
            command: [python3, \(model)]
            sources: [\(sources)]
            device: cpu
        train: {epochs: \(epochs), batch_size: 16, learning_rate: 0.01}
        loop: {initial: 40, query: 20, cycles: \(cycles), candidates: 200}
        strategies:
        \(strategies.map { "  \($0): {}" }.joined(separator: "\n"))
        """
    }

    /// A private copy of models/tiny_mlp.py (and the path shim it imports) in the harness's `models/`, so a test
    /// can edit it or find its worker by path; returns the folder.
    static func copyTinyModel(into harness: CLIHarness) throws -> String {
        let models = harness.folder.file("models")
        try FileManager.default.createDirectory(atPath: models, withIntermediateDirectories: true)
        for name in ["tiny_mlp.py", "_helper_path.py"] {
            try FileManager.default.copyItem(atPath: root + "/models/" + name, toPath: models + "/" + name)
        }
        return models
    }

    /// Every strategy alflow knows, from the schema it publishes.
    static func allStrategies() throws -> [String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: root + "/workflows/workflow.schema.json"))
        let schema = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let properties = (schema?["properties"] as? [String: Any])?["strategies"] as? [String: Any]
        return ((properties?["properties"] as? [String: Any])?.keys).map { Array($0).sorted() } ?? []
    }

    @Test("every strategy runs with an external model, and every object records where it ran")
    func everyStrategy() throws {
        let harness = try CLIHarness()
        let strategies = try Self.allStrategies()
        #expect(strategies.count >= 17, "\(strategies)")
        let file = try harness.write("all.yaml", Self.workflow(name: "all", model: Self.root + "/models/tiny_mlp.py",
                                                               sources: Self.root + "/models/tiny_mlp.py", strategies: strategies))
        let result = try harness.run(["run", file, "--store", harness.store("s"), "--quiet"], environment: Self.environment)
        #expect(result.status == 0, "\(result.stderr)")
        let csv = try String(contentsOfFile: harness.store("s") + "/reports/all/results.csv", encoding: .utf8)
        for strategy in strategies { #expect(csv.contains("\n\(strategy),0,1,60,accuracy,"), "no cycle-1 result for \(strategy)") }
        let store = try ArtifactStore(root: harness.store("s"), alflowVersion: "test")
        var selections = Set<[Int64]>()
        for file in store.objectFiles() {
            guard let key = file.key, case .hit(let artifact) = try store.read(key) else { continue }
            if ["train", "score", "perturb", "evaluate"].contains(artifact.header.kind) {
                #expect(artifact.content.attributes["external_device"] == .string("cpu"), "\(artifact.header.kind) lacks its device")
            }
            if artifact.header.kind == "select", let labeled = artifact.content.arrays["labeled"]?.values(as: Int64.self), labeled.count == 60 {
                selections.insert(labeled.sorted())
            }
        }
        // The strategies disagree about what to label (a strategy silently falling back would not).
        #expect(selections.count >= strategies.count - 3, "only \(selections.count) distinct batches for \(strategies.count) strategies")
    }

    @Test("kill -9 during an external training: the worker goes too, and the resumed run continues from its checkpoint to the same bits")
    func killedTrainingResumes() throws {
        let harness = try CLIHarness()
        let models = try Self.copyTinyModel(into: harness)
        let text = Self.workflow(name: "resume", model: "models/tiny_mlp.py", sources: "models/", strategies: ["random"], epochs: 300, cycles: 1)
        let file = try harness.write("resume.yaml", text)
        // Uninterrupted reference.
        let reference = try harness.run(["run", file, "--store", harness.store("ref"), "--quiet"], environment: Self.environment)
        #expect(reference.status == 0, "\(reference.stderr)")
        // Interrupted: killed once the model has written an epoch checkpoint.
        let (process, _, _) = try harness.start(["run", file, "--store", harness.store("s"), "--quiet"], environment: Self.environment)
        let partial = harness.store("s") + "/partial"
        let deadline = Date().addingTimeInterval(120)
        var checkpointed = false
        while Date() < deadline, process.isRunning, !checkpointed {
            let folders = (try? FileManager.default.contentsOfDirectory(atPath: partial))?.filter { $0.hasSuffix(".external") } ?? []
            // The helper's finished checkpoint (it writes `checkpoint.pt.tmp-PID` first, then renames it).
            checkpointed = folders.contains { FileManager.default.fileExists(atPath: partial + "/" + $0 + "/checkpoint.pt") }
            if !checkpointed { usleep(20_000) }
        }
        #expect(checkpointed, "the model never wrote a checkpoint")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        // The worker sees the end of its input and exits.
        var survivor = true
        for _ in 0..<100 where survivor {
            survivor = try Subprocess.run("/usr/bin/pgrep", ["-f", models + "/tiny_mlp.py"]).status == 0
            if survivor { usleep(100_000) }
        }
        #expect(!survivor, "the model worker outlived alflow's kill -9")
        let resumed = try harness.run(["run", file, "--store", harness.store("s"), "--events"], environment: Self.environment)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resumed at epoch"), "the training started over instead of resuming")
        #expect(try CLIHarness.objects(harness.store("s")) == (try CLIHarness.objects(harness.store("ref"))))
        #expect(try String(contentsOfFile: harness.store("s") + "/reports/resume/results.csv", encoding: .utf8)
                == (try String(contentsOfFile: harness.store("ref") + "/reports/resume/results.csv", encoding: .utf8)))
    }

    @Test("Ctrl-C during an external training exits 130 and leaves no worker behind")
    func interruptedRunLeavesNoWorker() throws {
        let harness = try CLIHarness()
        let models = try Self.copyTinyModel(into: harness)
        let text = Self.workflow(name: "interrupt", model: "models/tiny_mlp.py", sources: "models/", strategies: ["random", "entropy"],
                                 epochs: 2000, cycles: 2)
        let file = try harness.write("interrupt.yaml", text)
        let (process, _, _) = try harness.start(["run", file, "--store", harness.store("s"), "--quiet"], environment: Self.environment)
        let partial = harness.store("s") + "/partial"
        let deadline = Date().addingTimeInterval(120)
        var training = false
        while Date() < deadline, process.isRunning, !training {
            training = ((try? FileManager.default.contentsOfDirectory(atPath: partial)) ?? []).contains { $0.hasSuffix(".external") }
            if !training { usleep(20_000) }
        }
        #expect(training, "no external training started")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(try Subprocess.run("/usr/bin/pgrep", ["-f", models + "/tiny_mlp.py"]).status != 0, "a worker outlived Ctrl-C")
    }

    @Test("editing the model file recomputes exactly its stages and their dependents; touching it recomputes nothing")
    func editedModelRecomputes() throws {
        let harness = try CLIHarness()
        let models = try Self.copyTinyModel(into: harness)
        // The workflow in a folder of its own, so the worker (started there) and alflow have different working folders.
        try FileManager.default.createDirectory(atPath: harness.folder.file("workflows"), withIntermediateDirectories: true)
        let text = Self.workflow(name: "edit", model: "../models/tiny_mlp.py", sources: "../models/", strategies: ["random", "entropy"],
                                 epochs: 2, cycles: 3)
        let file = try harness.write("workflows/edit.yaml", text)
        // A store given by a relative path (the worker runs elsewhere, in the workflow's folder).
        let first = try harness.run(["run", file, "--store", "s", "--quiet"], environment: Self.environment)
        #expect(first.status == 0, "\(first.stderr)")
        // Touched: a new modification time, the same bytes.
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(60)], ofItemAtPath: models + "/tiny_mlp.py")
        let touched = try harness.run(["run", file, "--store", harness.store("s"), "--dry-run"], environment: Self.environment)
        #expect(touched.stdout.contains("edit: 18 stages, 0 to compute"), "\(touched.stdout)")
        // Edited: every stage that runs the model, and what depends on them.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: models + "/tiny_mlp.py"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("\n# edited: one more line\n".utf8))
        try handle.close()
        let edited = try harness.run(["run", file, "--store", harness.store("s"), "--dry-run"], environment: Self.environment)
        let lines = edited.stdout.split(separator: "\n").dropFirst().map { String($0.split(separator: " ").last ?? "") }
        // Every training and evaluation, entropy's scores and the selections made from them; not the data,
        // the initial labels or random's selections, which never run the model.
        let expected = ["train/seed0/cycle0", "evaluate/seed0/cycle0", "score/entropy/seed0/cycle0", "score/entropy/seed0/cycle1",
                        "select/entropy/seed0/cycle1", "select/entropy/seed0/cycle2", "train/random/seed0/cycle1", "train/random/seed0/cycle2",
                        "train/entropy/seed0/cycle1", "train/entropy/seed0/cycle2", "evaluate/random/seed0/cycle1",
                        "evaluate/random/seed0/cycle2", "evaluate/entropy/seed0/cycle1", "evaluate/entropy/seed0/cycle2"]
        #expect(Set(lines) == Set(expected), "\(edited.stdout)")
        #expect(edited.stdout.contains("edit: 18 stages, 14 to compute"), "\(edited.stdout)")
    }
}

/// `workflows/cifar10-paper.yaml` as written (VGG-16 through the helper, the
/// official image pipeline), shrunk to a 2-cycle smoke run on the CPU: tiny
/// synthetic 32×32 colour images in place of CIFAR-10, one epoch.
@Suite("External models: the CIFAR-10 workflow", .enabled(if: Tools.python("torch", "h5py", "numpy")))
struct CIFARWorkflowSmokeTests {
    @Test("cifar10-paper runs two cycles on synthetic 32×32 images")
    func smoke() throws {
        let harness = try CLIHarness()
        let make = """
        import numpy as np
        rng = np.random.default_rng(0)
        np.save('x.npy', rng.integers(0, 256, (100, 32, 32, 3)).astype(np.float32))
        np.save('y.npy', (np.arange(100) % 10).astype(np.int64))
        """
        let generated = try Subprocess.run("/usr/bin/env", ["python3", "-c", make], directory: harness.folder.path)
        #expect(generated.status == 0, "\(generated.stderr)")
        let workflow = ExternalModelTorchTests.root + "/workflows/cifar10-paper.yaml"
        let overrides = [
            "seeds=[0]",
            "dataset={npy: {features: \(harness.folder.file("x.npy")), targets: \(harness.folder.file("y.npy")), images: true}, test_fraction: 0.2, normalize: none}",
            "loop={initial: 20, query: 10, cycles: 2, candidates: 40, cover_classes: false}",
            "train.epochs=1", "train.milestones=[]", "train.batch_size=16", "strategies.noise_stability.samples=2",
        ]
        let result = try harness.run(["run", workflow, "--store", harness.store("s"), "--quiet"] + overrides.flatMap { ["--set", $0] },
                                     environment: ExternalModelTorchTests.environment)
        #expect(result.status == 0, "\(result.stderr)")
        let csv = (try? String(contentsOfFile: harness.store("s") + "/reports/cifar10-paper/results.csv", encoding: .utf8)) ?? ""
        for strategy in ["random", "entropy", "coreset", "badge", "noise_stability"] {
            #expect(csv.contains("\n\(strategy),0,1,30,accuracy,"), "no cycle-1 result for \(strategy):\n\(csv)")
        }
    }
}
