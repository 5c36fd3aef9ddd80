import ArtifactStore
import Foundation
import TestSupport
import Testing

/// The promise on the box: kill the run at any moment, run it again, and
/// the results are bit-identical to a run that was never interrupted.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ResumeTests {
    /// Slower training, so that kills land mid-training and mid-publish.
    let slow = ["--set", "train.epochs=120", "--set", "model.mlp.hidden=[64]"]

    /// Where a kill lands, read from the run's `--events` stream.
    enum KillPoint {
        /// At the n-th epoch report of a training (its earlier epochs are checkpointed).
        case epoch(Int)
        /// Right after the n-th stage was published.
        case finished(Int)
        /// As the n-th perturbation starts.
        case perturbStarted(Int)

        func matches(_ line: String, _ seen: inout Int) -> Bool {
            let hit: Bool
            switch self {
            case .epoch: hit = line.contains("\"event\":\"progress\"") && line.contains("\"stage\":\"train/") && line.contains("epoch ")
            case .finished: hit = line.contains("\"event\":\"finished\"") && line.contains("\"outcome\":\"computed\"")
            case .perturbStarted: hit = line.contains("\"event\":\"started\"") && line.contains("\"stage\":\"perturb/")
            }
            if hit { seen += 1 }
            switch self {
            case .epoch(let n), .finished(let n), .perturbStarted(let n): return hit && seen == n
            }
        }
    }

    /// Starts a run with `--events` and sends `signal` once `point` is reached; returns the result.
    static func run(_ cli: CLIHarness, _ arguments: [String], killAt point: KillPoint, signal: Int32) throws -> (ProcessResult, Bool) {
        let (process, out, err) = try cli.start(arguments + ["--events"], environment: ["ALFLOW_CHECKPOINT_SECONDS": "0"])
        let reader = LineReader(err)
        var seen = 0, sent = false
        while let line = reader.next() {
            if point.matches(line, &seen) {
                kill(process.processIdentifier, signal)
                sent = true
                break
            }
        }
        return (Subprocess.finish(process, out, err), sent)
    }

    @Test func killedManyTimesAndResumedEqualsAnUninterruptedRun() throws {
        let cli = try CLIHarness()
        let workflow = try cli.write("small.yaml", CLIHarness.smallWorkflow)
        let reference = try cli.run(["run", workflow, "--store", cli.store("reference"), "--quiet"] + slow)
        #expect(reference.status == 0, "\(reference.stderr)")
        let expected = try CLIHarness.objects(cli.store("reference"))

        // Kills mid-training, between stages and as a perturbation starts, in turn.
        let schedule: [KillPoint] = [.epoch(3), .finished(4), .perturbStarted(1), .epoch(40), .finished(1), .epoch(7)]
        var kills = 0, checkpointsLeft = 0
        for attempt in 0..<12 {
            let (result, sent) = try Self.run(cli, ["run", workflow, "--store", cli.store("killed")] + slow,
                                              killAt: schedule[attempt % schedule.count], signal: SIGKILL)
            checkpointsLeft += (try? FileManager.default.contentsOfDirectory(atPath: cli.store("killed") + "/partial"))?.count ?? 0
            if !result.signalled {
                #expect(result.status == 0, "attempt \(attempt): \(result.stderr)")
                break
            }
            #expect(sent)
            kills += 1
        }
        #expect(kills >= 6, "the run should have been killed at every point of the schedule, was \(kills)")
        #expect(checkpointsLeft > 0, "kills at epoch events leave checkpoints to resume from")
        let final = try cli.run(["run", workflow, "--store", cli.store("killed"), "--quiet"] + slow)
        #expect(final.status == 0)
        let actual = try CLIHarness.objects(cli.store("killed"))
        #expect(actual.count == expected.count)
        #expect(actual == expected, "object keys and payload digests must match the uninterrupted run")
        let verify = try cli.run(["verify", "--store", cli.store("killed")])
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    @Test func interruptStopsAtASafePointExits130AndResumes() throws {
        let cli = try CLIHarness()
        let workflow = try cli.write("small.yaml", CLIHarness.smallWorkflow)
        let (result, sent) = try Self.run(cli, ["run", workflow, "--store", cli.store("store")] + slow, killAt: .epoch(2), signal: SIGINT)
        #expect(sent)
        #expect(result.status == 130, "\(result.stderr)")
        #expect(result.stderr.contains("interrupted"))
        #expect(try cli.run(["verify", "--store", cli.store("store")]).status == 0)
        let status = try cli.run(["status", workflow, "--store", cli.store("store"), "--format", "json"] + slow)
        #expect(status.stdout.contains("\"state\" : \"partial\""), "the interrupted training left its checkpoint")
        let resumed = try cli.run(["run", workflow, "--store", cli.store("store"), "--quiet"] + slow)
        #expect(resumed.status == 0)
        let reference = try cli.run(["run", workflow, "--store", cli.store("reference"), "--quiet"] + slow)
        #expect(reference.status == 0)
        #expect(try CLIHarness.objects(cli.store("store")) == (try CLIHarness.objects(cli.store("reference"))))
    }
}
