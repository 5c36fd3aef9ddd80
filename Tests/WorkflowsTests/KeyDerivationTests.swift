import ArtifactStore
import ExternalModels
import Foundation
import Stages
import TestSupport
import Testing
import Workflows

/// Keys are derived from what stages read: every leaf field of the JSON
/// Schema, changed, changes the specification of exactly the stage kinds
/// that read it; cosmetic fields and the paths of content-identical files
/// change no key at all.
@Suite(.serialized) struct KeyDerivationTests {
    /// The base workflows: one per data source, each with a short loop.
    enum Base: String, CaseIterable { case digits, csv, idx, npy, hdf5, synthetic, regression, smallnet, linear, external }

    /// A rule: which base, which `--set`, which stage kinds read the field.
    struct Rule {
        let base: Base
        let set: [String]
        /// Stage kinds whose specification must change; nil: no key of any stage may change.
        let reads: Set<StageKind>?
        /// The field cannot take another value in this base (only one choice exists); the test only checks it is listed.
        var noAlternative = false
    }

    static let model: Set<StageKind> = [.train, .perturb, .score, .evaluate]

    /// Every leaf of the schema (strategy variants `strategies.*.` share their strategy's rule).
    static let rules: [String: Rule] = [
        "name": Rule(base: .digits, set: ["name=renamed"], reads: nil),
        "description": Rule(base: .digits, set: ["description=another text"], reads: nil),
        "seeds": Rule(base: .digits, set: ["seeds=[0, 5]"], reads: []),
        "dataset.builtin": Rule(base: .digits, set: [], reads: [.load], noAlternative: true),
        "dataset.idx.train_images": Rule(base: .idx, set: ["dataset.idx.train_images=copy/train-images"], reads: nil),
        "dataset.idx.train_labels": Rule(base: .idx, set: ["dataset.idx.train_labels=copy/train-labels"], reads: nil),
        "dataset.idx.test_images": Rule(base: .idx, set: ["dataset.idx.test_images=copy/test-images"], reads: nil),
        "dataset.idx.test_labels": Rule(base: .idx, set: ["dataset.idx.test_labels=copy/test-labels"], reads: nil),
        "dataset.csv.path": Rule(base: .csv, set: ["dataset.csv.path=copy/table.csv"], reads: nil),
        "dataset.csv.target": Rule(base: .csv, set: ["dataset.csv.target=rooms"], reads: [.load]),
        "dataset.csv.task": Rule(base: .csv, set: ["dataset.csv.task=regression", "strategies={random: {}}", "evaluate=[rmse]"],
                                 reads: [.load, .select, .train, .evaluate]),
        "dataset.csv.drop": Rule(base: .csv, set: ["dataset.csv.drop=[size]"], reads: [.load]),
        "dataset.csv.missing_values": Rule(base: .csv, set: ["dataset.csv.missing_values=[x]"], reads: [.load]),
        "dataset.csv.missing_columns": Rule(base: .csv, set: ["dataset.csv.missing_columns=error"], reads: [.load]),
        "dataset.npy.features": Rule(base: .npy, set: ["dataset.npy.features=copy/x.npy"], reads: nil),
        "dataset.npy.targets": Rule(base: .npy, set: ["dataset.npy.targets=copy/y.npy"], reads: nil),
        "dataset.npy.task": Rule(base: .npy, set: ["dataset.npy.task=regression", "strategies={random: {}}", "evaluate=[rmse]"],
                                 reads: [.load, .select, .train, .evaluate]),
        "dataset.npy.images": Rule(base: .npy, set: ["dataset.npy.images=true"], reads: [.load]),
        "dataset.hdf5.path": Rule(base: .hdf5, set: ["dataset.hdf5.path=copy/data.h5"], reads: nil),
        "dataset.hdf5.features": Rule(base: .hdf5, set: ["dataset.hdf5.features=/z"], reads: [.load]),
        "dataset.hdf5.targets": Rule(base: .hdf5, set: ["dataset.hdf5.targets=/t"], reads: [.load]),
        "dataset.hdf5.task": Rule(base: .hdf5, set: ["dataset.hdf5.task=regression", "strategies={random: {}}", "evaluate=[rmse]"],
                                  reads: [.load, .select, .train, .evaluate]),
        "dataset.hdf5.images": Rule(base: .hdf5, set: ["dataset.hdf5.images=true"], reads: [.load]),
        "dataset.synthetic.kind": Rule(base: .synthetic, set: ["dataset.synthetic.kind=blobs"], reads: nil),
        "dataset.synthetic.sizes": Rule(base: .synthetic, set: ["dataset.synthetic.sizes=[300, 200, 50]"], reads: [.load]),
        "dataset.synthetic.centers": Rule(base: .synthetic, set: ["dataset.synthetic.centers=[[0, 0], [3, 0], [1, 2]]"], reads: [.load]),
        "dataset.synthetic.spread": Rule(base: .synthetic, set: ["dataset.synthetic.spread=2"], reads: [.load]),
        "dataset.synthetic.seed": Rule(base: .synthetic, set: ["dataset.synthetic.seed=9"], reads: [.load]),
        "dataset.synthetic.dimensions": Rule(base: .synthetic, set: ["dataset.synthetic.kind=blobs", "dataset.synthetic.dimensions=4"], reads: [.load]),
        "dataset.synthetic.test": Rule(base: .synthetic, set: ["dataset.synthetic.kind=blobs", "dataset.synthetic.dimensions=4",
                                                              "dataset.synthetic.test=50"], reads: [.load]),
        "dataset.test_fraction": Rule(base: .digits, set: ["dataset.test_fraction=0.4"], reads: [.load]),
        "dataset.split": Rule(base: .digits, set: ["dataset.split=ordered"], reads: [.load]),
        "dataset.split_seed": Rule(base: .digits, set: ["dataset.split_seed=3"], reads: [.load]),
        "dataset.normalize": Rule(base: .digits, set: ["dataset.normalize=scale"], reads: [.load]),
        "dataset.standardize_target": Rule(base: .regression, set: ["dataset.standardize_target=false"], reads: [.load]),
        "model.mlp.hidden": Rule(base: .digits, set: ["model.mlp.hidden=[12]"], reads: model),
        "model.mlp.dropout": Rule(base: .digits, set: ["model.mlp.dropout=0.2"], reads: model),
        "model.smallnet.dropout": Rule(base: .smallnet, set: ["model.smallnet.dropout=0.2"], reads: model),
        "model.regression_mlp.dropout": Rule(base: .regression, set: ["model.regression_mlp.dropout=0.2"], reads: model),
        "model.linear": Rule(base: .linear, set: [], reads: model, noAlternative: true),
        // An external model's files by content (a content-identical copy changes nothing: see the path test below)…
        "model.external.command": Rule(base: .external, set: ["model.external.command=[python3, model2.py]"], reads: model),
        "model.external.sources": Rule(base: .external, set: ["model.external.sources=[model.py, model2.py]"], reads: model),
        // …and its environment as the policy keeps it (strict adds the device's name).
        "model.external.environment": Rule(base: .external, set: ["model.external.environment=strict"], reads: model),
        // The requested device enters through the environment `describe` reports (fixed here), never as written.
        "model.external.device": Rule(base: .external, set: ["model.external.device=cpu"], reads: nil),
        "model.external.timeout": Rule(base: .external, set: ["model.external.timeout=5m"], reads: nil),
        "model.external.worker": Rule(base: .external, set: ["model.external.worker=per_stage"], reads: nil),
        "train.epochs": Rule(base: .digits, set: ["train.epochs=3"], reads: [.train]),
        "train.batch_size": Rule(base: .digits, set: ["train.batch_size=8"], reads: [.train]),
        "train.optimizer": Rule(base: .digits, set: ["train.optimizer=sgd"], reads: [.train]),
        "train.learning_rate": Rule(base: .digits, set: ["train.learning_rate=0.01"], reads: [.train]),
        "train.momentum": Rule(base: .digits, set: ["train.optimizer=sgd", "train.momentum=0.5"], reads: [.train]),
        "train.weight_decay": Rule(base: .digits, set: ["train.weight_decay=0.001"], reads: [.train]),
        "train.milestones": Rule(base: .digits, set: ["train.milestones=[1]"], reads: [.train]),
        "train.gamma": Rule(base: .digits, set: ["train.gamma=0.5"], reads: [.train]),
        "train.restart": Rule(base: .digits, set: ["train.restart=warm"], reads: [.train]),
        "train.class_balanced": Rule(base: .digits, set: ["train.class_balanced=never"], reads: [.train]),
        "loop.initial": Rule(base: .digits, set: ["loop.initial=25"], reads: [.select]),
        "loop.query": Rule(base: .digits, set: ["loop.query=7"], reads: [.select]),
        "loop.cycles": Rule(base: .digits, set: ["loop.cycles=2"], reads: []),
        "loop.candidates": Rule(base: .digits, set: ["loop.candidates=200"], reads: [.select]),
        "loop.cover_classes": Rule(base: .digits, set: ["loop.cover_classes=false"], reads: [.select]),
        "evaluate": Rule(base: .regression, set: ["evaluate=[rmse, mae]"], reads: [.evaluate]),
        "report.baseline": Rule(base: .digits, set: ["report.baseline=entropy"], reads: nil),
        "report.targets": Rule(base: .digits, set: ["report.targets=[0.9]"], reads: nil),
    ]

    /// Strategy parameters: the stage kind of their declared scope.
    static func strategyRule(_ leaf: String) -> Rule? {
        let parts = leaf.split(separator: ".").map(String.init).filter { $0 != "*" }
        guard parts.first == "strategies", parts.count >= 2, let kind = StrategyKind(rawValue: parts[1]) else { return nil }
        guard parts.count == 3 else { return Rule(base: .digits, set: [], reads: [], noAlternative: true) }
        guard let parameter = kind.parameters.first(where: { $0.name == parts[2] }) else { return nil }
        let scope: StageKind = { switch parameter.scope { case .perturb: .perturb; case .score: .score; case .select: .select } }()
        let prefix = leaf.contains(".*.") ? "strategies.variant.\(kind.rawValue)" : "strategies.\(kind.rawValue)"
        let value: String
        switch parameter.kind {
        case .int(let range): value = String(range.lowerBound + 1)
        case .double(let above, let atLeast, _): value = String(max(above ?? 0, atLeast ?? 0) + 0.125)
        case .choice(let choices): value = choices.last ?? ""
        case .doubleOrAuto: value = "0.5"
        }
        let declaration = leaf.contains(".*.") ? "strategies={random: {}, variant: {\(kind.rawValue): {}}}" : "strategies={random: {}, \(kind.rawValue): {}}"
        return Rule(base: .digits, set: [declaration, "\(prefix).\(parameter.name)=\(value)"], reads: [scope])
    }

    /// Cluster resources (`resources.KIND.FIELD`) say where a stage runs, never what it computes: no key changes.
    static func resourcesRule(_ leaf: String) -> Rule? {
        let parts = leaf.split(separator: ".").map(String.init)
        guard parts.count == 3, parts[0] == "resources" else { return nil }
        let values = ["cpus": "3", "memory": "6G", "gpus": "1", "time": "2h"]
        guard let value = values[parts[2]] else { return nil }
        return Rule(base: .digits, set: ["\(leaf)=\(value)"], reads: nil)
    }

    static func leaves() throws -> [String] {
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(WorkflowSchema.json.utf8)) as? [String: Any])
        var result: [String] = []
        func walk(_ node: [String: Any], _ path: [String]) {
            if let properties = node["properties"] as? [String: Any] {
                for (key, value) in properties { walk(value as? [String: Any] ?? [:], path + [key]) }
                if let more = node["additionalProperties"] as? [String: Any] { walk(more, path + ["*"]) }
            } else {
                result.append(path.joined(separator: "."))
            }
        }
        walk(schema, [])
        return result.sorted()
    }

    // MARK: Fixtures

    static func baseText(_ base: Base) -> String {
        let loop = "loop: {initial: 20, query: 10, cycles: 3, candidates: 100}\n"
        let train = "train: {epochs: 2, batch_size: 16}\n"
        let strategies = "strategies: {random: {}, entropy: {}, noise_stability: {samples: 3}, bald: {samples: 3}, coreset: {}}\n"
        switch base {
        case .digits:
            return "name: keys\nseeds: [0]\ndataset: {builtin: digits}\nmodel: {mlp: {hidden: [16]}}\n" + train + loop + strategies
        case .smallnet:
            return "name: keys\nseeds: [0]\ndataset: {npy: {features: x.npy, targets: y.npy, images: true}}\nmodel: {smallnet: {}}\n" + train + loop + strategies
        case .linear:
            return "name: keys\nseeds: [0]\ndataset: {builtin: digits}\nmodel: {linear: {}}\n" + train + loop + "strategies: {random: {}, entropy: {}}\n"
        case .external:
            return "name: keys\nseeds: [0]\ndataset: {builtin: digits}\nmodel: {external: {command: [python3, model.py], sources: [model.py]}}\n"
                + train + loop + strategies
        case .csv:
            return "name: keys\nseeds: [0]\ndataset: {csv: {path: table.csv, target: price, task: classification}}\nmodel: {mlp: {hidden: [8]}}\n"
                + train + loop + strategies
        case .idx:
            return "name: keys\nseeds: [0]\ndataset: {idx: {train_images: train-images, train_labels: train-labels, test_images: test-images, test_labels: test-labels}}\nmodel: {smallnet: {}}\n"
                + train + loop + strategies
        case .npy:
            return "name: keys\nseeds: [0]\ndataset: {npy: {features: x.npy, targets: y.npy}}\nmodel: {mlp: {hidden: [8]}}\n" + train + loop + strategies
        case .hdf5:
            return "name: keys\nseeds: [0]\ndataset: {hdf5: {path: data.h5, features: /x, targets: /y}}\nmodel: {mlp: {hidden: [8]}}\n" + train + loop + strategies
        case .synthetic:
            return "name: keys\nseeds: [0]\ndataset: {synthetic: {kind: ibal}}\nmodel: {mlp: {hidden: [8]}}\n" + train + loop + strategies
        case .regression:
            return "name: keys\nseeds: [0]\ndataset: {csv: {path: table.csv, target: price, task: regression}}\nmodel: {regression_mlp: {}}\n"
                + train + loop + "strategies: {random: {}, coreset: {}, noise_stability: {samples: 3}}\nevaluate: [rmse]\n"
        }
    }

    /// Data files (their content only matters for digests), each with a content-identical copy under copy/.
    static func makeFiles(_ dir: TemporaryDirectory) throws {
        try FileManager.default.createDirectory(atPath: dir.file("copy"), withIntermediateDirectories: true)
        for name in ["table.csv", "train-images", "train-labels", "test-images", "test-labels", "x.npy", "y.npy", "data.h5", "model.py", "model2.py"] {
            let bytes = Data("contents of \(name)\n".utf8)
            try bytes.write(to: URL(fileURLWithPath: dir.file(name)))
            try bytes.write(to: URL(fileURLWithPath: dir.file("copy/" + name)))
        }
    }

    static func plan(_ base: Base, _ overrides: [String], in dir: TemporaryDirectory, file: String = "w.yaml") throws -> Plan {
        let path = dir.file(file)
        try Data(baseText(base).utf8).write(to: URL(fileURLWithPath: path))
        let outcome = WorkflowLoader.load(path, overrides: overrides)
        var workflow = try #require(outcome.workflow, "\(base) \(overrides): \(outcome.diagnostics.map(\.rendered))")
        let files = FileDigests(store: nil)
        if let spec = workflow.model.external {
            // What `describe` would report, fixed (no worker runs here).
            let description = try ModelDescription(line: """
                {"id": 0, "ok": true, "model": {"name": "m", "supports": ["embeddings", "mc_dropout", "weight_noise"]},
                 "environment": {"python": "3.11", "torch": "2.15", "device": "cpu", "device_name": "test cpu"}}
                """.replacingOccurrences(of: "\n", with: " "))
            workflow.model.external?.identity = try ExternalModelSetup.identity(spec, description) { try files.digest(of: $0) }
        }
        return try StageComputer.plan(workflow) { try SourceLoading.digests($0, files: files) }
    }

    // MARK: Tests

    @Test func everySchemaLeafChangesExactlyTheStagesThatReadIt() throws {
        let dir = try TemporaryDirectory()
        try Self.makeFiles(dir)
        var checked = 0
        for leaf in try Self.leaves() {
            let rule = try #require(Self.rules[leaf] ?? Self.strategyRule(leaf) ?? Self.resourcesRule(leaf), "no key rule for schema field '\(leaf)': add one")
            guard !rule.noAlternative else { continue }
            let base = try Self.plan(rule.base, rule.set.filter { $0.hasPrefix("strategies=") }, in: dir)
            let changed = try Self.plan(rule.base, rule.set, in: dir)
            let before = Dictionary(uniqueKeysWithValues: base.stages.map { ($0.id, $0) })
            if let reads = rule.reads {
                var kinds = Set<StageKind>()
                for stage in changed.stages {
                    guard let old = before[stage.id] else { continue }
                    if old.key.specification != stage.key.specification || old.key.implementation != stage.key.implementation {
                        kinds.insert(stage.kind)
                    }
                }
                #expect(kinds == reads, "\(leaf): the specifications of \(kinds.map(\.rawValue).sorted()) changed, expected \(reads.map(\.rawValue).sorted())")
            } else {
                let same = base.stages.map(\.digest) == changed.stages.map(\.digest)
                #expect(same, "\(leaf) is cosmetic but changed a key")
            }
            checked += 1
        }
        #expect(checked > 80)
    }

    @Test func cosmeticEditsChangeNoKey() throws {
        let dir = try TemporaryDirectory()
        try Self.makeFiles(dir)
        let base = try Self.plan(.digits, [], in: dir)
        let text = "# a comment\n" + Self.baseText(.digits).replacingOccurrences(of: "seeds: [0]", with: "description: x\nseeds:   [ 0 ]  # one")
        try Data(text.utf8).write(to: URL(fileURLWithPath: dir.file("edited.yaml")))
        let outcome = WorkflowLoader.load(dir.file("edited.yaml"))
        let files = FileDigests(store: nil)
        let edited = try StageComputer.plan(try #require(outcome.workflow)) { try SourceLoading.digests($0, files: files) }
        #expect(base.stages.map(\.digest) == edited.stages.map(\.digest), "a comment, a description or spacing changed a key")
        // The same strategy under a display name of its own shares every key.
        let renamed = try Self.plan(.digits, ["strategies={random: {}, chosen: {entropy: {}}}"], in: dir)
        let plain = try Self.plan(.digits, ["strategies={random: {}, entropy: {}}"], in: dir)
        #expect(Set(renamed.stages.map(\.digest)) == Set(plain.stages.map(\.digest)))
    }

    @Test func externalModelFilesEnterKeysByContent() throws {
        let dir = try TemporaryDirectory()
        try Self.makeFiles(dir)
        let base = try Self.plan(.external, [], in: dir)
        let copied = try Self.plan(.external, ["model.external.command=[python3, copy/model.py]", "model.external.sources=[copy/model.py]"], in: dir)
        #expect(base.stages.map(\.digest) == copied.stages.map(\.digest), "a content-identical copy of the model changed a key")
        try Data("edited\n".utf8).write(to: URL(fileURLWithPath: dir.file("copy/model.py")))
        let edited = try Self.plan(.external, ["model.external.command=[python3, copy/model.py]", "model.external.sources=[copy/model.py]"], in: dir)
        let changed = Set(zip(base.stages, edited.stages).filter { $0.digest != $1.digest }.map { $0.0.kind })
        #expect(changed == [.train, .perturb, .score, .evaluate, .select], "\(changed)")
    }

    /// Any change to a key of the quick start is a reviewed change: regenerate with ALFLOW_UPDATE_GOLDEN=1.
    @Test func quickstartKeysArePinned() throws {
        let path = TestPaths.packageRoot.appendingPathComponent("workflows/quickstart.yaml").path
        let workflow = try #require(WorkflowLoader.load(path).workflow)
        let files = FileDigests(store: nil)
        let plan = try StageComputer.plan(workflow) { try SourceLoading.digests($0, files: files) }
        let text = plan.stages.map { "\($0.digest) \($0.id)" }.joined(separator: "\n") + "\n"
        let golden = TestPaths.packageRoot.appendingPathComponent("Tests/WorkflowsTests/Fixtures/quickstart.keys")
        let pinned = try String(contentsOf: golden, encoding: .utf8)
        #expect(pinned == text, "the quick start's keys changed; if intended, regenerate Tests/WorkflowsTests/Fixtures/quickstart.keys")
        // Update mode: compared above with the old file, rewritten here, and never a pass.
        if ProcessInfo.processInfo.environment["ALFLOW_UPDATE_GOLDEN"] == "1" {
            try Data(text.utf8).write(to: golden)
            Issue.record("regenerated Tests/WorkflowsTests/Fixtures/quickstart.keys (\(pinned == text ? "unchanged" : "changed")); review the diff and rerun without ALFLOW_UPDATE_GOLDEN")
        }
    }
}
