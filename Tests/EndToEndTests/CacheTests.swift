import ArtifactStore
import Foundation
import TestSupport
import Testing

@Suite(.serialized, .timeLimit(.minutes(5))) struct CacheTests {
    @Test func reruns_editsAndOverridesRecomputeExactlyWhatChanged() throws {
        let cli = try CLIHarness()
        let workflow = try cli.write("small.yaml", CLIHarness.smallWorkflow)
        let store = cli.store("store")
        let first = try cli.run(["run", workflow, "--store", store])
        #expect(first.status == 0, "\(first.stderr)")
        let total = try #require(CLIHarness.counts(first.stdout))
        #expect(total.computed == total.total && total.total == 79)
        // Without a terminal, one plain line per computed stage.
        #expect(first.stderr.contains("computed  train/entropy/seed1/cycle3"))

        let second = try cli.run(["run", workflow, "--store", store])
        #expect(CLIHarness.counts(second.stdout)?.computed == 0)
        #expect(second.stdout.contains("79 stages: 0 computed, 79 cached"))

        // Comments, formatting, key order and the description change nothing.
        let cosmetic = "# a comment\ndescription: edited\n" + CLIHarness.smallWorkflow.replacingOccurrences(of: "seeds: [0, 1]", with: "seeds: [ 0,  1 ]   # both")
        let edited = try cli.write("small.yaml", cosmetic)
        #expect(CLIHarness.counts(try cli.run(["run", edited, "--store", store]).stdout)?.computed == 0)

        // One strategy's parameter: only its branch (27 stages per seed, cycle 0's shared ones excluded).
        let changed = try cli.run(["run", edited, "--store", store, "--set", "strategies.noise_stability.samples=6"])
        #expect(changed.status == 0)
        #expect(CLIHarness.counts(changed.stdout)?.computed == 2 * 9 + 2 * 6, "\(changed.stdout)")
        #expect(!changed.stderr.contains("/entropy/") && !changed.stderr.contains("/random/"))
    }

    @Test func damagedObjectsAreRecomputedToTheIdenticalResult() throws {
        let cli = try CLIHarness()
        let workflow = try cli.write("small.yaml", CLIHarness.smallWorkflow)
        let root = cli.store("store")
        #expect(try cli.run(["run", workflow, "--store", root, "--quiet"]).status == 0)
        let before = try CLIHarness.objects(root)
        let status = try cli.run(["status", workflow, "--store", root, "--format", "json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])
        func key(_ id: String) -> String { rows.first { $0["id"] as? String == id }?["key"] as? String ?? "" }
        let store = try ArtifactStore(root: root, alflowVersion: "test")
        // Damage an evaluation (a target), and a training whose evaluation is then removed.
        for id in ["evaluate/entropy/seed1/cycle2", "train/random/seed0/cycle3"] {
            let path = store.layout.object(key(id))
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes.removeLast(bytes.count / 3)
            try bytes.write(to: URL(fileURLWithPath: path))
        }
        try FileManager.default.removeItem(atPath: store.layout.object(key("evaluate/random/seed0/cycle3")))
        let check = try cli.run(["verify", "--store", root])
        #expect(check.status == 1)
        #expect(check.stderr.contains(key("train/random/seed0/cycle3")))
        let rerun = try cli.run(["run", workflow, "--store", root])
        #expect(rerun.status == 0)
        #expect(CLIHarness.counts(rerun.stdout)?.computed == 3, "\(rerun.stdout)")
        #expect(rerun.stderr.contains("damaged"))
        #expect(try CLIHarness.objects(root) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.layout.quarantine).count == 2)
    }

    @Test func jobsOneAndTwoGiveIdenticalResults() throws {
        let cli = try CLIHarness()
        let workflow = try cli.write("small.yaml", CLIHarness.smallWorkflow)
        #expect(try cli.run(["run", workflow, "--store", cli.store("one"), "--jobs", "1", "--quiet"]).status == 0)
        #expect(try cli.run(["run", workflow, "--store", cli.store("two"), "--jobs", "2", "--quiet"]).status == 0)
        #expect(try cli.run(["run", workflow, "--store", cli.store("three"), "--jobs", "3", "--quiet"]).status == 0)
        let one = try CLIHarness.objects(cli.store("one"))
        #expect(one.count == 79)
        #expect(one == (try CLIHarness.objects(cli.store("two"))))
        #expect(one == (try CLIHarness.objects(cli.store("three"))))
    }

    @Test func threeConcurrentRunsComputeEachStageOnce() throws {
        let cli = try CLIHarness()
        let workflow = try cli.write("small.yaml", CLIHarness.smallWorkflow)
        // A second workflow overlapping the first (same data, first train, shared stages).
        let overlap = try cli.write("overlap.yaml", CLIHarness.smallWorkflow.replacingOccurrences(of: "name: small", with: "name: overlap")
            .replacingOccurrences(of: "  random: {}\n", with: "  margin: {}\n"))
        let root = cli.store("shared")
        let runs = try [workflow, workflow, overlap].map { try cli.start(["run", $0, "--store", root, "--jobs", "2"]) }
        let results = runs.map { Subprocess.finish($0.0, $0.1, $0.2) }
        #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
        let computed = results.compactMap { CLIHarness.counts($0.stdout)?.computed }.reduce(0, +)
        let objects = try CLIHarness.objects(root)
        #expect(computed == objects.count, "every stage computed exactly once across the three runs")
        #expect(try cli.run(["run", workflow, "--store", cli.store("alone"), "--quiet"]).status == 0)
        let alone = try CLIHarness.objects(cli.store("alone"))
        #expect(alone.allSatisfy { objects[$0.key] == $0.value }, "shared results equal a run on its own")
    }
}

@Suite(.serialized, .timeLimit(.minutes(3))) struct ReportEndToEndTests {
    @Test func everyRunWritesTheReportAndIdenticalResultsGiveIdenticalCSV() throws {
        let cli = try CLIHarness()
        let workflow = try cli.write("small.yaml", CLIHarness.smallWorkflow)
        let run = try cli.run(["run", workflow, "--store", cli.store("a"), "--quiet"])
        #expect(run.stdout.contains("report: \(cli.store("a"))/reports/small/report.html"))
        for file in ["report.html", "accuracy.svg", "results.csv", "paired.csv", "pairwise.csv"] {
            #expect(FileManager.default.fileExists(atPath: cli.store("a") + "/reports/small/" + file), "\(file)")
        }
        #expect(try cli.run(["run", workflow, "--store", cli.store("b"), "--quiet", "--jobs", "1"]).status == 0)
        let a = try cli.run(["report", workflow, "--store", cli.store("a"), "--format", "csv"])
        let b = try cli.run(["report", workflow, "--store", cli.store("b"), "--format", "csv"])
        #expect(a.status == 0 && a.stdout == b.stdout)
        #expect(a.stdout.split(separator: "\n").count == 1 + 3 * 2 * 4)
        let html = cli.folder.file("out.html")
        let table = try cli.run(["report", workflow, "--store", cli.store("a"), "--html", html])
        // The star, or (two seeds may not separate the strategies) the tie verdict that withholds it.
        #expect(table.stdout.contains("★") || table.stdout.contains("statistically tied"), "\(table.stdout)")
        #expect(table.stdout.contains("paired over seeds") && table.stdout.contains("wins of row over column"))
        #expect(FileManager.default.fileExists(atPath: html))
        let opened = try cli.run(["report", workflow, "--store", cli.store("a"), "--open"], environment: ["DISPLAY": "", "WAYLAND_DISPLAY": ""])
        #expect(opened.stdout.contains("open: \(cli.store("a"))/reports/small/report.html"), "\(opened.stdout)")
        // Two workflows side by side: a column and a rank each, and the mean rank.
        let other = try cli.write("other.yaml", CLIHarness.smallWorkflow.replacingOccurrences(of: "name: small", with: "name: other"))
        #expect(try cli.run(["run", other, "--store", cli.store("a"), "--quiet"]).status == 0)
        let both = try cli.run(["report", workflow, other, "--store", cli.store("a")])
        #expect(both.status == 0 && both.stdout.contains("small AUBC accuracy (rank)") && both.stdout.contains("other AUBC accuracy (rank)")
                && both.stdout.contains("mean rank"), "\(both.stdout)")
        // A report of an incomplete run shows what exists.
        let partial = try cli.run(["report", workflow, "--store", cli.store("a"), "--set", "loop.cycles=6"])
        #expect(partial.status == 0 && partial.stdout.contains("incomplete"))
    }
}
