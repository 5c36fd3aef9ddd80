import ArtifactStore
import Foundation
import TestSupport
import Testing

/// A store pins the BLAS kernel of its first computation; every later
/// process computing into it runs that kernel, whatever its environment.
@Suite(.serialized, .timeLimit(.minutes(5))) struct NumericsTests {
    static let small = ["--set", "seeds=[0]", "--set", "loop.cycles=4", "--quiet"]
    static let quickstart = TestPaths.packageRoot.appendingPathComponent("workflows/quickstart.yaml").path

    static func pinned(_ store: String) -> String? { StoreNumerics.read(root: store)?.blasCore }

    /// The kernel a stored object recorded (from `alflow explain`).
    static func recordedCore(_ cli: CLIHarness, _ store: String) throws -> String {
        let explain = try cli.run(["explain", quickstart, "train/seed0/cycle0", "--store", store] + small.dropLast())
        let line = try #require(explain.stdout.split(separator: "\n").first { $0.contains("BLAS") }, "\(explain.stdout)")
        return String(line)
    }

    @Test func aPortableStoreGivesTheSameBitsWhateverOpenBLASCoretypeSays() throws {
        let cli = try CLIHarness()
        var objects: [[String: String]] = []
        for (index, coretype) in [nil, "Prescott", "SkylakeX"].enumerated() {
            let store = cli.store("portable\(index)")
            let environment = coretype.map { ["OPENBLAS_CORETYPE": $0] } ?? [:]
            let run = try cli.run(["run", Self.quickstart, "--store", store, "--numerics", "portable"] + Self.small, environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(Self.pinned(store) == "Haswell")
            #expect(try Self.recordedCore(cli, store).contains("Haswell"))
            objects.append(try CLIHarness.objects(store))
        }
        #expect(objects[0].count > 30)
        #expect(objects[1] == objects[0] && objects[2] == objects[0], "every object's key and payload digest agree")
    }

    @Test func aPinnedStoreWinsOverTheEnvironmentAndAnotherMachineGivesItsBits() throws {
        let cli = try CLIHarness()
        let first = cli.store("first")
        #expect(try cli.run(["run", Self.quickstart, "--store", first] + Self.small).status == 0)
        let core = try #require(Self.pinned(first))
        // "Another machine": a fresh store pinned to the same kernel, computed under another OPENBLAS_CORETYPE.
        let second = cli.store("second")
        try FileManager.default.createDirectory(atPath: second, withIntermediateDirectories: true)
        try Data("{\"blas_core\": \"\(core)\", \"mode\": \"native\"}".utf8).write(to: URL(fileURLWithPath: second + "/numerics.json"))
        let other = core == "Prescott" ? "Haswell" : "Prescott"
        let run = try cli.run(["run", Self.quickstart, "--store", second] + Self.small, environment: ["OPENBLAS_CORETYPE": other])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("pins the \(core) kernel; OPENBLAS_CORETYPE=\(other) is not used"), "\(run.stderr)")
        #expect(try CLIHarness.objects(second) == (try CLIHarness.objects(first)))
    }

    @Test func aMachineThatCannotRunThePinnedKernelGetsAClearError() throws {
        let cli = try CLIHarness()
        let store = cli.store("avx512")
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
        try Data("{\"blas_core\": \"SkylakeX\", \"mode\": \"native\"}".utf8).write(to: URL(fileURLWithPath: store + "/numerics.json"))
        // A CPU with AVX2 and FMA but no AVX-512.
        let run = try cli.run(["run", Self.quickstart, "--store", store] + Self.small, environment: ["ALFLOW_TEST_CPU_FEATURES": "3"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("pins the BLAS kernel SkylakeX, which this CPU cannot run") && run.stderr.contains("--numerics portable"),
                "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: store + "/objects"), "nothing was computed")
    }
}
