import ArtifactStore
import Foundation
import Testing
import TestSupport

/// A model that exits, writes NaN, writes the wrong shape or hangs fails its
/// stage with a clear message and publishes nothing (docs/external-models.md).
/// The broken model needs only numpy and h5py, so these run without PyTorch.
@Suite("External models: broken models", .serialized, .enabled(if: Tools.python("numpy", "h5py")))
struct ExternalModelFailureTests {
    static let fixture = TestPaths.packageRoot.appendingPathComponent("Tests/Fixtures/external-models/bad_model.py").path

    static func workflow(_ mode: String, timeout: String = "10m") -> String {
        """
        name: broken-\(mode)
        seeds: [0]
        dataset: {builtin: digits, test_fraction: 0.3}
        model:
          external:
            command: [python3, \(fixture), \(mode)]
            timeout: \(timeout)
        train: {epochs: 2, batch_size: 16}
        loop: {initial: 20, query: 10, cycles: 2, candidates: 100}
        strategies:
          random: {}
          entropy: {}
        """
    }

    /// Stage kinds of the store's objects, counted.
    static func kinds(_ root: String) throws -> [String: Int] {
        let store = try ArtifactStore(root: root, alflowVersion: "test")
        var kinds: [String: Int] = [:]
        for file in store.objectFiles() {
            guard let key = file.key, case .hit(let artifact) = try store.read(key) else { continue }
            kinds[artifact.header.kind, default: 0] += 1
        }
        return kinds
    }

    @Test("a model that exits 1 fails its training with its stderr shown and saved; nothing is published")
    func exitOne() throws {
        let harness = try CLIHarness()
        let file = try harness.write("w.yaml", Self.workflow("exit1"))
        let result = try harness.run(["run", file, "--store", harness.store("s"), "--quiet"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("the model process ended before answering: it exited with status 1"), "\(result.stderr)")
        #expect(result.stderr.contains("RuntimeError: CUDA out of memory (simulated by bad_model.py)"))
        let kinds = try Self.kinds(harness.store("s"))
        #expect(kinds["train"] == nil && kinds["evaluate"] == nil, "\(kinds)")
        #expect(kinds["load"] == 1)
        let logs = try FileManager.default.contentsOfDirectory(atPath: harness.store("s") + "/logs/external").filter { !$0.hasPrefix("worker-") }
        #expect(!logs.isEmpty)
        let saved = try logs.map { try String(contentsOfFile: harness.store("s") + "/logs/external/" + $0, encoding: .utf8) }
        #expect(saved.allSatisfy { $0.contains("CUDA out of memory (simulated") })
        #expect(result.stderr.contains("whole log: "))
    }

    @Test("a NaN weight is refused before publication")
    func notANumber() throws {
        let harness = try CLIHarness()
        let file = try harness.write("w.yaml", Self.workflow("nan"))
        let result = try harness.run(["run", file, "--store", harness.store("s"), "--quiet"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("'parameters/w' holds a non-finite value"), "\(result.stderr)")
        #expect(try Self.kinds(harness.store("s"))["train"] == nil)
    }

    @Test("probabilities of the wrong width fail evaluation and scoring; the trainings stand")
    func wrongShape() throws {
        let harness = try CLIHarness()
        let file = try harness.write("w.yaml", Self.workflow("shape"))
        let result = try harness.run(["run", file, "--store", harness.store("s"), "--quiet"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("'probabilities' has shape [100, 11], expected [100, 10]"), "\(result.stderr)")
        let kinds = try Self.kinds(harness.store("s"))
        #expect((kinds["train"] ?? 0) >= 1 && kinds["evaluate"] == nil && kinds["score"] == nil, "\(kinds)")
    }

    @Test("a model that hangs is stopped at its timeout, with no process left behind")
    func hang() throws {
        let harness = try CLIHarness()
        let file = try harness.write("w.yaml", Self.workflow("hang", timeout: "3s"))
        let start = Date()
        let result = try harness.run(["run", file, "--store", harness.store("s"), "--quiet", "--jobs", "1"])
        #expect(result.status == 1)
        #expect(Date().timeIntervalSince(start) < 60)
        #expect(result.stderr.contains("the model did not answer within its timeout (3 s)"), "\(result.stderr)")
        #expect(result.stderr.contains("bad_model: hanging"))
        #expect(try Self.kinds(harness.store("s"))["train"] == nil)
        #expect(try Subprocess.run("/usr/bin/pgrep", ["-f", Self.fixture + " hang"]).status != 0, "a hung worker survived")
    }

    @Test("a strategy the model cannot serve is rejected at its line, before anything runs")
    func unsupportedStrategy() throws {
        let harness = try CLIHarness()
        let text = Self.workflow("good").replacingOccurrences(of: "  entropy: {}", with: "  bald: {samples: 5}\n  noise_stability: {samples: 5}")
        let file = try harness.write("w.yaml", text)
        let result = try harness.run(["run", file, "--store", harness.store("s")])
        #expect(result.status == 65)
        #expect(result.stderr.contains("w.yaml:12:3: error: strategy 'bald' needs Monte-Carlo dropout (dropout layers), which the external model 'bad-good' does not support"),
                "\(result.stderr)")
        #expect(result.stderr.contains("w.yaml:13:3: error: strategy 'noise_stability' needs weight-noise passes"))
        let objects = FileManager.default.fileExists(atPath: harness.store("s") + "/objects") ? try Self.kinds(harness.store("s")) : [:]
        #expect(objects.isEmpty, "\(objects)")
    }

    @Test("a command that does not exist is an error at its line")
    func missingCommand() throws {
        let harness = try CLIHarness()
        let text = Self.workflow("good").replacingOccurrences(of: "command: [python3, \(Self.fixture), good]", with: "command: [no-such-python, m.py]")
        let file = try harness.write("w.yaml", text)
        let result = try harness.run(["validate", file])
        #expect(result.status == 65)
        #expect(result.stderr.contains("w.yaml:6:14: error: the model command 'no-such-python' is not on PATH"), "\(result.stderr)")
    }
}
