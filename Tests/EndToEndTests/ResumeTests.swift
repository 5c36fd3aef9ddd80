import ArtifactStore
import Foundation
import TestSupport
import Testing

/// The promise on the box: kill the run at any moment, run it again, and
/// the results are bit-identical to a run that was never interrupted.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ResumeTests {
    /// Slower training, so that kills land mid-training and mid-publish.
    let slow = ["--set", "train.epochs=120", "--set", "model.mlp.hidden=[64]"]

    @Test func killedManyTimesAndResumedEqualsAnUninterruptedRun() throws {
        let cli = try CLIHarness()
        let workflow = try cli.write("small.yaml", CLIHarness.smallWorkflow)
        let reference = try cli.run(["run", workflow, "--store", cli.store("reference"), "--quiet"] + slow)
        #expect(reference.status == 0, "\(reference.stderr)")
        let expected = try CLIHarness.objects(cli.store("reference"))

        var generator = SystemRandomNumberGenerator()
        var kills = 0, checkpointsLeft = 0
        for attempt in 0..<40 {
            let (process, out, err) = try cli.start(["run", workflow, "--store", cli.store("killed")] + slow,
                                                    environment: ["ALFLOW_CHECKPOINT_SECONDS": "0"])
            usleep(UInt32.random(in: 150_000...900_000, using: &generator))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            let result = Subprocess.finish(process, out, err)
            // A checkpoint left behind means the kill landed mid-training; the next attempt resumes from it.
            checkpointsLeft += (try? FileManager.default.contentsOfDirectory(atPath: cli.store("killed") + "/partial"))?.count ?? 0
            if !result.signalled {
                #expect(result.status == 0, "attempt \(attempt): \(result.stderr)")
                break
            }
        }
        #expect(kills >= 3, "the run should have been killed several times, was \(kills)")
        #expect(checkpointsLeft > 0, "some kills should land mid-training")
        let final = try cli.run(["run", workflow, "--store", cli.store("killed"), "--quiet"] + slow)
        #expect(final.status == 0)
        #expect(CLIHarness.counts(final.stdout)?.computed == 0, "\(final.stdout)")
        let actual = try CLIHarness.objects(cli.store("killed"))
        #expect(actual.count == expected.count)
        #expect(actual == expected, "object keys and payload digests must match the uninterrupted run")
        let verify = try cli.run(["verify", "--store", cli.store("killed")])
        #expect(verify.status == 0, "\(verify.stderr)")
        print("killed \(kills) times; \(checkpointsLeft) training checkpoints were left to resume from")
    }

    @Test func interruptStopsAtASafePointExits130AndResumes() throws {
        let cli = try CLIHarness()
        let workflow = try cli.write("small.yaml", CLIHarness.smallWorkflow)
        let (process, out, err) = try cli.start(["run", workflow, "--store", cli.store("store")] + slow,
                                                environment: ["ALFLOW_CHECKPOINT_SECONDS": "0"])
        usleep(1_500_000)
        kill(process.processIdentifier, SIGINT)
        let result = Subprocess.finish(process, out, err)
        #expect(result.status == 130, "\(result.stderr)")
        #expect(result.stderr.contains("interrupted"))
        #expect(try cli.run(["verify", "--store", cli.store("store")]).status == 0)
        let status = try cli.run(["status", workflow, "--store", cli.store("store"), "--format", "json"] + slow)
        #expect(status.stdout.contains("\"state\" : \"missing\"") || status.stdout.contains("\"state\" : \"partial\""))
        let resumed = try cli.run(["run", workflow, "--store", cli.store("store"), "--quiet"] + slow)
        #expect(resumed.status == 0)
        let reference = try cli.run(["run", workflow, "--store", cli.store("reference"), "--quiet"] + slow)
        #expect(reference.status == 0)
        #expect(try CLIHarness.objects(cli.store("store")) == (try CLIHarness.objects(cli.store("reference"))))
    }
}
