import ArtifactStore
import Foundation
import TestSupport
import Testing

/// `alflow run --executor slurm` on a real one-node cluster
/// (scripts/slurm-test-cluster.sh, started by `make test`): the same bits as
/// a local run, re-attachment after the driver is killed, resubmission of a
/// job cancelled from outside, nothing left behind by Ctrl-C, and jobs that
/// compute with the store's pinned kernel whatever their environment says.
@Suite(.serialized, .timeLimit(.minutes(5)), .enabled(if: SlurmCluster.isUp, "no Slurm cluster (start one: scripts/slurm-test-cluster.sh start)"))
struct SlurmTests {
    static let slurm = ["--executor", "slurm"]
    /// Trainings long enough (seconds) for a kill or a cancel to land inside a job.
    /// The numpy-only external model of the failure tests (Tests/Fixtures/external-models/bad_model.py).
    static let fixtureModel = TestPaths.packageRoot.appendingPathComponent("Tests/Fixtures/external-models/bad_model.py").path

    /// The small workflow with that model in `mode` (`slow`: 3-second trainings, `hang`: trainings that never end).
    static func fixtureModelWorkflow(mode: String, timeout: String = "1h") -> String {
        CLIHarness.smallWorkflow
            .replacingOccurrences(of: "  mlp: {hidden: [16]}", with: "  external: {command: [python3, \(fixtureModel), \(mode)], timeout: \(timeout)}")
            .replacingOccurrences(of: "  noise_stability: {samples: 5}", with: "")
    }

    static let slow = ["--set", "seeds=[0]", "--set", "loop.cycles=3", "--set", "train.epochs=1500", "--set", "model.mlp.hidden=[64]"]

    @Test func aSlurmRunGivesTheLocalRunsReportAndObjects() throws {
        let cli = try CLIHarness()
        let workflow = try cli.write("small.yaml", CLIHarness.smallWorkflow)
        let local = try cli.run(["run", workflow, "--store", cli.store("local"), "--quiet"])
        #expect(local.status == 0, "\(local.stderr)")
        // Resources say what jobs ask for, and change no key.
        let resources = "resources={train: {cpus: 1, time: 2m}, default: {memory: 300M, time: 1m}}"
        let cluster = try cli.run(["run", workflow, "--store", cli.store("cluster"), "--quiet", "--set", resources] + Self.slurm)
        #expect(cluster.status == 0, "\(cluster.stderr)")
        #expect(CLIHarness.counts(cluster.stdout)?.computed == CLIHarness.counts(local.stdout)?.computed)
        let objects = try CLIHarness.objects(cli.store("local"))
        #expect(objects.count > 40)
        #expect(try CLIHarness.objects(cli.store("cluster")) == objects, "every object's key and payload digest agree")
        let reports = try ["local", "cluster"].map { try cli.run(["report", workflow, "--store", cli.store($0)]) }
        #expect(reports[0].status == 0 && !reports[0].stdout.isEmpty)
        #expect(reports[0].stdout == reports[1].stdout, "the printed report is byte-identical")
        for file in ["results.csv", "paired.csv", "accuracy.svg"] {
            let paths = ["local", "cluster"].map { cli.store($0) + "/reports/small/" + file }
            #expect(FileManager.default.contents(atPath: paths[0]) == FileManager.default.contents(atPath: paths[1]), "\(file) differs")
        }
        // Small stages share jobs: far fewer jobs than stages.
        let submitted = try SlurmCluster.submissions(cli.store("cluster"))
        #expect(!submitted.isEmpty && submitted.count < objects.count / 2, "\(submitted.count) jobs for \(objects.count) stages")
        let job = try SlurmCluster.show(SlurmCluster.jobIDs(cli.store("cluster"))[0])
        #expect(job.contains("MinMemoryNode=300M") && job.contains("NumCPUs=1"), "\(job)")
        #expect(!job.contains("TimeLimit=UNLIMITED") && job.contains("TimeLimit=00:"), "\(job)")
    }

    /// Every training takes 3 s (an external model that sleeps first: Tests/Fixtures/external-models/bad_model.py),
    /// so the kill lands inside a job whatever the machine's speed or load.
    @Test(.enabled(if: Tools.python("numpy", "h5py"))) func aDriverKilledMidRunReattachesWithoutSubmittingAgain() throws {
        let cli = try CLIHarness()
        let workflow = try cli.write("small.yaml", Self.fixtureModelWorkflow(mode: "slow"))
        let store = cli.store("cluster")
        let arguments = ["run", workflow, "--store", store, "--set", "seeds=[0]", "--set", "loop.cycles=3"] + Self.slurm
        let (process, out, err) = try cli.start(arguments + ["--events"])
        // Once a job runs, the driver dies without a chance to clean up.
        let reader = LineReader(err)
        while let line = reader.next(), !line.contains("\"event\":\"started\"") {}
        // On an idle machine a job of this run may finish before the queue is read: wait until one is queued.
        var queued: [SlurmCluster.Job] = []
        for _ in 0..<400 where queued.isEmpty && process.isRunning {
            queued = try SlurmCluster.queued(store)
            if queued.isEmpty { usleep(25_000) }
        }
        kill(process.processIdentifier, SIGKILL)
        _ = Subprocess.finish(process, out, err)
        let queuedAtKill = try SlurmCluster.queued(store)
        #expect(!queuedAtKill.isEmpty, "a job was still queued or running when the driver died")
        let resumed = try cli.run(arguments)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("re-attached to"), "\(resumed.stderr)")
        let names = try SlurmCluster.submissions(store)
        #expect(Set(names).count == names.count, "a job was submitted twice: \(names)")
        #expect(try SlurmCluster.queued(store).isEmpty)
        let reference = try cli.run(["run", workflow, "--store", cli.store("local"), "--quiet", "--set", "seeds=[0]", "--set", "loop.cycles=3"])
        #expect(reference.status == 0, "\(reference.stderr)")
        #expect(try CLIHarness.objects(store) == (try CLIHarness.objects(cli.store("local"))))
    }

    @Test func aJobCancelledFromOutsideIsSubmittedAgainAndResumes() throws {
        let cli = try CLIHarness()
        let workflow = try cli.write("small.yaml", CLIHarness.smallWorkflow)
        let store = cli.store("cluster")
        let (process, out, err) = try cli.start(["run", workflow, "--store", store, "--events"] + Self.slow + Self.slurm,
                                                environment: ["ALFLOW_CHECKPOINT_SECONDS": "0"])
        // A job that has run a moment (its training has checkpoints by then) is cancelled.
        let reader = LineReader(err)
        while let line = reader.next(), !line.contains("\"event\":\"started\"") {}
        Thread.sleep(forTimeInterval: 1)
        let cancelled = try #require(try SlurmCluster.queued(store).first { $0.state == "RUNNING" }, "no job of the run was seen running")
        let id = cancelled.id
        _ = try Subprocess.run("/usr/bin/env", ["scancel", id])
        let result = Subprocess.finish(process, out, err)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("Slurm job \(id) (") && result.stderr.contains("CANCELLED"), "\(result.stderr)")
        // A later job computed the cancelled job's unfinished stages.
        let names = try SlurmCluster.submissions(store)
        let later = names.drop { $0 != cancelled.name }.dropFirst()
        let resubmitted = try later.map { try SlurmCluster.keys(store, job: $0) }.reduce(Set<String>()) { $0.union($1) }
        #expect(!resubmitted.isDisjoint(with: try SlurmCluster.keys(store, job: cancelled.name)), "\(names)")
        let reference = try cli.run(["run", workflow, "--store", cli.store("local"), "--quiet"] + Self.slow)
        #expect(reference.status == 0)
        #expect(try CLIHarness.objects(store) == (try CLIHarness.objects(cli.store("local"))), "resumed bits equal an uninterrupted run's")
    }

    /// The job is certainly running when Ctrl-C arrives: its training is an external model that never answers
    /// (Tests/Fixtures/external-models/bad_model.py, numpy and h5py only), so neither the machine's speed nor its
    /// load decides whether the interrupt lands inside a job. It also runs an external model through Slurm.
    @Test(.enabled(if: Tools.python("numpy", "h5py"))) func ctrlCCancelsEveryJobOfTheRun() throws {
        let cli = try CLIHarness()
        let model = Self.fixtureModel
        let workflow = try cli.write("hanging.yaml", Self.fixtureModelWorkflow(mode: "hang", timeout: "10m"))
        let store = cli.store("cluster")
        let (process, out, err) = try cli.start(["run", workflow, "--store", store, "--events", "--set", "seeds=[0]"] + Self.slurm)
        let reader = LineReader(err)
        while let line = reader.next(), !line.contains("\"event\":\"started\"") {}
        // Wait until the job runs (its training then hangs inside the job).
        var running = false
        for _ in 0..<600 where !running && process.isRunning {
            running = try SlurmCluster.queued(store).contains { $0.state == "RUNNING" }
            if !running { usleep(100_000) }
        }
        #expect(running, "no job of the run reached the running state")
        kill(process.processIdentifier, SIGINT)
        let result = Subprocess.finish(process, out, err)
        #expect(result.status == 130, "\(result.stderr)")
        #expect(try SlurmCluster.queued(store).isEmpty, "a job was left behind")
        var survivor = true
        for _ in 0..<100 where survivor {
            survivor = try Subprocess.run("/usr/bin/pgrep", ["-f", model + " hang"]).status == 0
            if survivor { usleep(100_000) }
        }
        #expect(!survivor, "the job's model worker outlived the cancelled job")
        // ALFLOW_EXECUTOR chooses the executor as --executor does.
        let small = try cli.write("small.yaml", CLIHarness.smallWorkflow)
        let again = try cli.run(["run", small, "--store", cli.store("env"), "--quiet", "--set", "seeds=[0]"], environment: ["ALFLOW_EXECUTOR": "slurm"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try SlurmCluster.submissions(cli.store("env")).count >= 1, "the stages ran as jobs")
    }

    @Test func aJobForcedOntoAnotherKernelStillComputesWithTheStoresKernel() throws {
        let cli = try CLIHarness()
        let workflow = try cli.write("small.yaml", CLIHarness.smallWorkflow)
        let small = ["--set", "seeds=[0]", "--quiet"]
        #expect(try cli.run(["run", workflow, "--store", cli.store("local")] + small).status == 0)
        let pinned = try #require(StoreNumerics.read(root: cli.store("local"))?.blasCore)
        let other = pinned == "Prescott" ? "Haswell" : "Prescott"
        let forced = try cli.run(["run", workflow, "--store", cli.store("forced"), "--sbatch-arg=--export=ALL,OPENBLAS_CORETYPE=\(other)"]
                                 + small + Self.slurm)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(StoreNumerics.read(root: cli.store("forced"))?.blasCore == pinned)
        #expect(try CLIHarness.objects(cli.store("forced")) == (try CLIHarness.objects(cli.store("local"))))
        let logs = try SlurmCluster.logs(cli.store("forced"))
        #expect(logs.contains("OPENBLAS_CORETYPE=\(other) is not used") && logs.contains("with the \(pinned) kernel"), "\(logs)")

        // A node that cannot run the pinned kernel (simulated: AVX2 and FMA, no AVX-512) fails its job, and the driver says why.
        guard ["SkylakeX", "Cooperlake", "SapphireRapids"].contains(pinned) else { return }
        let unable = try cli.run(["run", workflow, "--store", cli.store("unable"), "--sbatch-arg=--export=ALL,ALFLOW_TEST_CPU_FEATURES=3"]
                                 + small + Self.slurm)
        #expect(unable.status == 1)
        #expect(unable.stderr.contains("Slurm job") && unable.stderr.contains("pins the BLAS kernel \(pinned), which this CPU cannot run"),
                "\(unable.stderr)")
    }
}

/// The test cluster, seen through Slurm's client commands.
enum SlurmCluster {
    struct Job { let id: String; let name: String; let state: String }

    static let isUp: Bool = {
        guard let result = try? Subprocess.run("/usr/bin/env", ["sinfo", "--noheader", "--format=%T"]), result.status == 0 else { return false }
        return ["idle", "mixed", "allocated"].contains { result.stdout.contains($0) }
    }()

    /// The run folder a driver made in the store (`<store>/slurm/<run>`).
    static func runFolder(_ store: String) throws -> String {
        let runs = try FileManager.default.contentsOfDirectory(atPath: store + "/slurm")
        return store + "/slurm/" + (try #require(runs.first))
    }

    /// Job names in the driver's submission log, one per sbatch.
    static func submissions(_ store: String) throws -> [String] {
        let text = try String(contentsOfFile: try runFolder(store) + "/submissions.log", encoding: .utf8)
        return text.split(separator: "\n").compactMap { $0.split(separator: " ").dropFirst(2).first.map(String.init) }
    }

    /// Job ids in the driver's submission log.
    static func jobIDs(_ store: String) throws -> [String] {
        let text = try String(contentsOfFile: try runFolder(store) + "/submissions.log", encoding: .utf8)
        return text.split(separator: "\n").compactMap { $0.split(separator: " ").dropFirst().first.map(String.init) }
    }

    /// `scontrol show job` (the controller keeps ended jobs for MinJobAge seconds).
    static func show(_ id: String) throws -> String {
        try Subprocess.run("/usr/bin/env", ["scontrol", "--oneliner", "show", "job", id]).stdout
    }

    /// The stage keys a job was given.
    static func keys(_ store: String, job name: String) throws -> Set<String> {
        let head = String(name.split(separator: "-").last ?? "")
        let text = try String(contentsOfFile: try runFolder(store) + "/jobs/\(head).keys", encoding: .utf8)
        return Set(text.split(separator: "\n").map(String.init))
    }

    /// The run's jobs still queued or running.
    static func queued(_ store: String) throws -> [Job] {
        let run = (try runFolder(store) as NSString).lastPathComponent
        let result = try Subprocess.run("/usr/bin/env", ["squeue", "--noheader", "--format=%i|%T|%j"])
        return result.stdout.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "|").map(String.init)
            guard fields.count == 3, fields[2].hasPrefix("alflow-\(run)-") else { return nil }
            return Job(id: fields[0], name: fields[2], state: fields[1])
        }
    }

    /// Every job log of the run, concatenated.
    static func logs(_ store: String) throws -> String {
        let folder = try runFolder(store) + "/logs"
        return try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
            .compactMap { try? String(contentsOfFile: folder + "/" + $0, encoding: .utf8) }.joined(separator: "\n")
    }
}
