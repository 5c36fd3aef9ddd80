import ArtifactStore
import Foundation
import TestSupport
import Testing

/// `--memory` (and `ALFLOW_MEMORY`) only changes how many stages run at
/// once: the results are the same objects, and the run says once that it
/// held stages back.
@Suite(.serialized, .timeLimit(.minutes(5))) struct MemoryLimitTests {
    @Test func aTightLimitRunsFewerStagesAtOnceWithIdenticalResults() throws {
        let cli = try CLIHarness()
        let workflow = try cli.write("small.yaml", CLIHarness.smallWorkflow)
        let free = try cli.run(["run", workflow, "--store", cli.store("free"), "--jobs", "2"])
        #expect(free.status == 0, "\(free.stderr)")
        #expect(!free.stderr.contains("running fewer stages"))
        let limited = try cli.run(["run", workflow, "--store", cli.store("limited"), "--jobs", "2", "--memory", "64M"])
        #expect(limited.status == 0, "\(limited.stderr)")
        #expect(limited.stderr.components(separatedBy: "--memory 64M: running fewer stages at once").count == 2, "\(limited.stderr)")
        let environment = ProcessInfo.processInfo.environment.merging(["ALFLOW_MEMORY": "100M"]) { $1 }
        let fromEnvironment = try cli.run(["run", workflow, "--store", cli.store("environment"), "--jobs", "2"], environment: environment)
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
        #expect(fromEnvironment.stderr.contains("--memory 100M: running fewer stages at once"))
        let reference = try CLIHarness.objects(cli.store("free"))
        #expect(reference.count == 79)
        #expect(try CLIHarness.objects(cli.store("limited")) == reference)
        #expect(try CLIHarness.objects(cli.store("environment")) == reference)
    }

    @Test func aMalformedLimitIsAUsageError() throws {
        let cli = try CLIHarness()
        let workflow = try cli.write("small.yaml", CLIHarness.smallWorkflow)
        for text in ["lots", "1X", "12", "-1G"] {
            let result = try cli.run(["run", workflow, "--store", cli.store("s"), "--memory", text])
            #expect(result.status == 64, "\(text): \(result.stderr)")
            #expect(result.stderr.contains("--memory"), "\(result.stderr)")
        }
    }

    @Test func aGeneratedPoolIsWrittenInBlocksAndReadBackIdentically() throws {
        let cli = try CLIHarness()
        let workflow = try cli.write("pool.yaml", """
        name: pool
        seeds: [0]
        dataset:
          synthetic: {kind: blobs, dimensions: 30, sizes: [6000, 4000, 2000], spread: 3, test: 500}
        model:
          mlp: {hidden: [16]}
        train:
          epochs: 3
          batch_size: 32
        loop:
          initial: 50
          query: 20
          cycles: 2
        strategies:
          margin: {}
          noise_stability: {samples: 3}
        """)
        let first = try cli.run(["run", workflow, "--store", cli.store("a"), "--jobs", "1"])
        #expect(first.status == 0, "\(first.stderr)")
        let second = try cli.run(["run", workflow, "--store", cli.store("b"), "--jobs", "2", "--memory", "256M"])
        #expect(second.status == 0, "\(second.stderr)")
        let objects = try CLIHarness.objects(cli.store("a"))
        #expect(objects.count == 13)
        #expect(try CLIHarness.objects(cli.store("b")) == objects)
        let verify = try cli.run(["verify", "--store", cli.store("a")])
        #expect(verify.status == 0 && verify.stdout.contains("0 damaged"), "\(verify.stdout)")
    }
}
