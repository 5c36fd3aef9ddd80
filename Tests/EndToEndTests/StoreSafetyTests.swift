import ArtifactStore
import Foundation
import TestSupport
import Testing

/// Read-only commands write nothing, damage is recomputed wherever it is,
/// and gc never drops a recorded run by surprise.
@Suite(.serialized, .timeLimit(.minutes(5))) struct StoreSafetyTests {
    /// Every file of a tree, path → its bytes (empty for a folder).
    static func snapshot(_ root: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        let manager = FileManager.default
        guard let walker = manager.enumerator(atPath: root) else { return result }
        for case let relative as String in walker {
            var isFolder: ObjCBool = false
            let path = root + "/" + relative
            _ = manager.fileExists(atPath: path, isDirectory: &isFolder)
            result[relative] = isFolder.boolValue ? Data() : try Data(contentsOf: URL(fileURLWithPath: path))
        }
        return result
    }

    static func keys(_ cli: CLIHarness, _ workflow: String, _ store: String, _ extra: [String] = []) throws -> [String: String] {
        let status = try cli.run(["status", workflow, "--store", store, "--format", "json"] + extra)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])
        var keys: [String: String] = [:]
        for row in rows { if let id = row["id"] as? String, let key = row["key"] as? String { keys[id] = key } }
        return keys
    }

    /// Flips one bit inside the first `labeled` index of a selection object (its dataset bytes, not the metadata).
    static func flipBitInLabeledIndices(_ path: String) throws {
        let store = try ArtifactStore(root: URL(fileURLWithPath: path).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path, alflowVersion: "test")
        let key = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        guard case .hit(let artifact) = try store.read(key), let labeled = artifact.content.arrays["labeled"]?.values(as: Int64.self) else {
            Issue.record("no labeled array in \(path)")
            return
        }
        let pattern = labeled.prefix(6).flatMap { value in withUnsafeBytes(of: value.littleEndian) { Array($0) } }
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let range = try #require(bytes.firstRange(of: Data(pattern)), "the indices are stored contiguously")
        bytes[range.lowerBound] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))
    }

    @Test func readOnlyCommandsWriteNothingAndDamageAnywhereIsRecomputed() throws {
        let cli = try CLIHarness()
        let workflow = try cli.write("small.yaml", CLIHarness.smallWorkflow)
        let root = cli.store("store")
        #expect(try cli.run(["run", workflow, "--store", root, "--quiet"]).status == 0)
        let before = try CLIHarness.objects(root)
        let keys = try Self.keys(cli, workflow, root)
        // An intermediate object whose successors (train, evaluate) are intact.
        let damaged = try #require(keys["select/entropy/seed1/cycle2"])
        let layout = StoreLayout(root: root)
        try Self.flipBitInLabeledIndices(layout.object(damaged))

        let untouched = try Self.snapshot(root)
        // Each command's exit status (verify finds the damaged object) and its printed result.
        let commands: [(arguments: [String], status: Int32)] = [
            (["run", workflow, "--dry-run", "--set", "loop.cycles=3"], 0), (["run", workflow, "--dry-run"], 0),
            (["status", workflow], 0), (["dag", workflow], 0), (["report", workflow], 0),
            (["explain", workflow, "select/entropy/seed1/cycle2"], 0), (["verify"], 1),
        ]
        for (arguments, status) in commands {
            let result = try cli.run(arguments + ["--store", root])
            let name = arguments.filter { !$0.hasSuffix(".yaml") }.joined(separator: " ")
            #expect(result.status == status, "\(name): exit \(result.status)\n\(result.stderr)")
            #expect(!result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(name) printed nothing")
            #expect(try Self.snapshot(root) == untouched, "\(arguments[0]) changed the store")
        }
        let dry = try cli.run(["run", workflow, "--dry-run", "--store", root])
        #expect(dry.stdout.contains("damaged") && dry.stdout.contains("select/entropy/seed1/cycle2"), "\(dry.stdout)")

        let verify = try cli.run(["verify", "--store", root])
        #expect(verify.status == 1 && verify.stderr.contains(damaged))
        #expect(verify.stdout.contains("objects checked, 1 damaged"), "\(verify.stdout)")
        let rerun = try cli.run(["run", workflow, "--store", root])
        #expect(rerun.status == 0)
        #expect(CLIHarness.counts(rerun.stdout)?.computed == 1, "\(rerun.stdout)")
        #expect(try cli.run(["verify", "--store", root]).status == 0)
        #expect(try CLIHarness.objects(root) == before)
    }

    @Test func readOnlyCommandsOnAMissingStoreSaySoAndCreateNothing() throws {
        let cli = try CLIHarness()
        let workflow = try cli.write("small.yaml", CLIHarness.smallWorkflow)
        let missing = cli.store("no-such-store")
        for arguments in [["status", workflow], ["report", workflow], ["explain", workflow, "load"], ["verify"], ["run", workflow, "--dry-run"]] {
            let result = try cli.run(arguments + ["--store", missing])
            #expect(result.status == 1, "\(arguments[0])")
            #expect(result.stderr.contains("no alflow store at '\(missing)'"), "\(arguments[0]): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: missing), "\(arguments[0]) created the store")
        }
        #expect(try cli.run(["dag", workflow, "--store", missing]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test func gcKeepsEveryRecordedRunUnlessToldOtherwise() throws {
        let cli = try CLIHarness()
        let workflow = try cli.write("small.yaml", CLIHarness.smallWorkflow)
        let root = cli.store("store")
        #expect(try cli.run(["run", workflow, "--store", root, "--quiet"]).status == 0)
        #expect(try cli.run(["run", workflow, "--store", root, "--dry-run", "--set", "loop.cycles=3"]).status == 0)
        #expect(try cli.run(["run", workflow, "--store", root, "--quiet", "--set", "train.epochs=3"]).status == 0)
        let all = try CLIHarness.objects(root)

        let gc = try cli.run(["gc", "--store", root])
        #expect(gc.status == 0 && gc.stdout.contains("removed 0 objects"), "\(gc.stdout)")
        for extra in [[], ["--set", "train.epochs=3"]] {
            let status = try cli.run(["status", workflow, "--store", root] + extra)
            #expect(status.stdout.contains("79 stages: 79 cached"), "\(extra): \(status.stdout)")
        }

        // --older-than 0 forgets every run; --dry-run first shows it and removes nothing.
        let preview = try cli.run(["gc", "--store", root, "--older-than", "0", "--dry-run"])
        #expect(preview.stdout.contains("would forget run small") && preview.stdout.contains("would remove \(all.count) objects"), "\(preview.stdout)")
        #expect(try CLIHarness.objects(root) == all)

        // --keep FILE with an override the file no longer has: only the file's plain plan and its runs stay.
        let other = try cli.write("other.yaml", CLIHarness.smallWorkflow.replacingOccurrences(of: "name: small", with: "name: other")
            .replacingOccurrences(of: "epochs: 15", with: "epochs: 4"))
        #expect(try cli.run(["run", other, "--store", root, "--quiet"]).status == 0)
        let keep = try cli.run(["gc", "--store", root, "--keep", workflow])
        #expect(keep.status == 0 && keep.stdout.contains("forgot run other"), "\(keep.stdout)")
        #expect(try cli.run(["status", workflow, "--store", root]).stdout.contains("79 stages: 79 cached"))
        #expect(!(try cli.run(["status", other, "--store", root]).stdout.contains("79 cached")))
    }
}
