import DataCatalog
import Foundation
import TestSupport
import Testing

/// Data sets by name through the CLI: `alflow fetch` from a mirror folder,
/// a run that needs no network, `alflow data`, and the offline message.
@Suite(.serialized, .timeLimit(.minutes(5))) struct DataSetTests {
    /// A folder laid out like a user's mirror: MNIST's four files under their published names.
    static func mirror(_ cli: CLIHarness) throws -> String {
        let folder = cli.folder.file("mirror/mnist")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for file in KnownDataset.mnist.files {
            try FileManager.default.copyItem(atPath: try TestData.path("mnist", file.name), toPath: folder + "/" + file.name)
        }
        return cli.folder.file("mirror")
    }

    static let workflow = """
    name: mnist-small
    seeds: [0]
    dataset: {builtin: mnist, normalize: global}
    model: {mlp: {hidden: [32]}}
    train: {epochs: 2, batch_size: 64}
    loop: {initial: 100, query: 50, cycles: 2, candidates: 500}
    strategies: {random: {}, entropy: {}}
    """

    @Test(.enabled(if: TestData.available("mnist"), "needs MNIST (set ALFLOW_DATA_MIRROR, or network access)"))
    func fetchFromAMirrorThenRunOffline() throws {
        let cli = try CLIHarness()
        let mirror = try Self.mirror(cli)
        let store = cli.store("store")
        let fetch = try cli.run(["fetch", "mnist", "--store", store, "--offline", "--data-mirror", mirror])
        #expect(fetch.status == 0, "\(fetch.stderr)")
        #expect(fetch.stdout.components(separatedBy: "verified").count == 5, "\(fetch.stdout)")
        let data = try cli.run(["data", "--store", store])
        #expect(data.stdout.contains("stored   train-images-idx3-ubyte.gz  9912422 bytes"), "\(data.stdout)")

        let workflow = try cli.write("mnist-small.yaml", Self.workflow)
        let run = try cli.run(["run", workflow, "--store", store, "--quiet"], environment: ["ALFLOW_OFFLINE": "1", "ALFLOW_DATA_MIRROR": ""])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(CLIHarness.counts(run.stdout)?.computed == CLIHarness.counts(run.stdout)?.total)

        // The same workflow from the mirror into a fresh store: the same keys and results.
        let again = try cli.run(["run", workflow, "--store", cli.store("other"), "--quiet", "--offline", "--data-mirror", mirror])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try CLIHarness.objects(store) == (try CLIHarness.objects(cli.store("other"))))
    }

    @Test func offlineWithoutTheDataSaysWhatToFetchAndWhere() throws {
        let cli = try CLIHarness()
        let workflow = try cli.write("mnist-small.yaml", Self.workflow)
        let store = cli.store("empty")
        let run = try cli.run(["run", workflow, "--store", store], environment: ["ALFLOW_OFFLINE": "1", "ALFLOW_DATA_MIRROR": ""])
        #expect(run.status == 1)
        #expect(run.stderr.contains("cannot obtain mnist/train-images-idx3-ubyte.gz") && run.stderr.contains("f68b3c2dcbeaaa9fbdd348bbdeb94873"),
                "\(run.stderr)")
        #expect(run.stderr.contains("ALFLOW_DATA_MIRROR"))
        #expect((try? FileManager.default.contentsOfDirectory(atPath: store + "/runs"))?.isEmpty ?? true,
                "a run that could not get its data records no run")
        let unknown = try cli.run(["fetch", "imagenet", "--store", store])
        #expect(unknown.status == 65 && unknown.stderr.contains("unknown data set 'imagenet'") && unknown.stderr.contains("cifar10"))
    }
}
