import Foundation
import DataCatalog
import Suggestions

/// YAML tree → `Workflow`. Every section is decoded even after errors, so
/// that one pass reports every problem.
struct WorkflowDecoder {
    let file: String
    let folder: String
    let bag: DiagnosticBag

    static let rootKeys = ["name", "description", "seeds", "dataset", "model", "train", "loop", "strategies", "evaluate", "report", "resources"]

    func decode(_ root: YAMLNode) -> Workflow? {
        guard let reader = MappingReader(root, path: "workflow", bag: bag) else { return nil }
        if root.isNull {
            bag.error(root.location, "the workflow is empty", hint: "start from workflows/quickstart.yaml")
            return nil
        }
        let name = decodeName(reader)
        let description = reader.string("description")?.value
        let seeds = decodeSeeds(reader)
        let dataset = reader.required("dataset", "the data set").flatMap { decodeDataset($0, anchor: reader.keyLocation("dataset")) }
        let model = reader.required("model", "the network").flatMap { decodeModel($0, anchor: reader.keyLocation("model")) }
        let train = decodeTrain(reader.value("train"), at: reader.keyLocation("train") ?? reader.location)
        let loop = reader.required("loop", "the active-learning loop").flatMap { decodeLoop($0, anchor: reader.keyLocation("loop")) }
        let strategies = reader.required("strategies", "the query strategies to compare")
            .flatMap { decodeStrategies($0, task: dataset?.task, model: model, anchor: reader.keyLocation("strategies")) }
        let metrics = decodeMetrics(reader.value("evaluate"), at: reader.keyLocation("evaluate"), task: dataset?.task)
        let report = decodeReport(reader.value("report"), anchor: reader.keyLocation("report"), strategies: strategies)
        let resources = ResourcesDecoder(bag: bag).decode(reader.value("resources"), anchor: reader.keyLocation("resources"))
        reader.finish(known: Self.rootKeys)

        guard let name, let seeds, let dataset, let model, let train, let loop, let strategies, let metrics, let report, let resources else { return nil }
        var workflow = Workflow(file: file, folder: folder, name: name, description: description, seeds: seeds, dataset: dataset,
                                model: model, train: train, loop: loop, strategies: strategies, metrics: metrics)
        workflow.report = report
        workflow.resources = resources
        CrossChecks(bag: bag).check(workflow)
        return workflow
    }

    private func decodeReport(_ node: YAMLNode?, anchor: SourceLocation?, strategies: [StrategySpec]?) -> ReportSpec? {
        guard let node else { return ReportSpec() }
        guard let reader = MappingReader(node, path: "report", bag: bag, anchor: anchor) else { return nil }
        var spec = ReportSpec()
        if let baseline = reader.string("baseline") {
            let names = (strategies ?? []).map(\.name)
            if strategies != nil, !names.contains(baseline.value) {
                bag.error(baseline.location ?? reader.location, "'report.baseline' names no strategy of this workflow, found '\(baseline.value)'",
                          hint: Suggestion.closest(to: baseline.value, among: names).map { "did you mean '\($0)'?" } ?? "one of \(names.joined(separator: ", "))")
                reader.finish(known: ["baseline", "targets"])
                return nil
            }
            spec.baseline = baseline
        }
        if let node = reader.value("targets") {
            guard let items = Scalars.list(node, "report.targets", bag: bag) else { return nil }
            let values = items.compactMap { Scalars.double($0, "report.targets", bag: bag) }
            guard values.count == items.count else { return nil }
            spec.targets = Located(values, at: node.location)
        }
        reader.finish(known: ["baseline", "targets"])
        return spec
    }

    private func decodeName(_ reader: MappingReader) -> Located<String>? {
        guard let name = reader.string("name", required: true, what: "a short name for the experiment") else { return nil }
        let allowed = name.value.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) }
        guard !name.value.isEmpty, allowed, name.value.count <= 100 else {
            bag.error(name.location ?? reader.location, "'name' may use letters, digits, '-', '_' and '.' only (it names a folder), found '\(name.value)'")
            return nil
        }
        return name
    }

    private func decodeSeeds(_ reader: MappingReader) -> Located<[UInt64]>? {
        guard let node = reader.required("seeds", "a list of seeds, e.g. [0, 1, 2]") else { return nil }
        guard let items = Scalars.list(node, "seeds", bag: bag) else { return nil }
        guard !items.isEmpty else {
            bag.error(node.location, "'seeds' is empty; give at least one seed", hint: "seeds: [0, 1, 2]")
            return nil
        }
        var seeds: [UInt64] = []
        var seen: [UInt64: SourceLocation] = [:]
        for item in items {
            guard let value = Scalars.int(item, "seeds", bag: bag, range: 0...Int(Int32.max)) else { continue }
            if let first = seen[UInt64(value)] {
                bag.error(item.location, "seed \(value) is listed twice", hint: "first at \(first.line):\(first.column)")
                continue
            }
            seen[UInt64(value)] = item.location
            seeds.append(UInt64(value))
        }
        return seeds.count == items.count ? Located(seeds, at: node.location) : nil
    }

    // MARK: Dataset

    static let sourceKinds = ["builtin", "idx", "csv", "npy", "hdf5", "synthetic"]

    private func decodeDataset(_ node: YAMLNode, anchor: SourceLocation?) -> DatasetSpec? {
        guard let reader = MappingReader(node, path: "dataset", bag: bag, anchor: anchor) else { return nil }
        let given = reader.keys.filter { Self.sourceKinds.contains($0) }
        var source: Located<DatasetSpec.Source>?
        var task = TaskKind.classification
        var isImage = false
        if given.count > 1 {
            bag.error(reader.keyLocation(given[1]) ?? reader.location,
                      "'dataset' names two sources, '\(given[0])' and '\(given[1])'; give exactly one")
        }
        if given.isEmpty {
            bag.error(reader.location, "'dataset' needs a source: one of \(Self.sourceKinds.joined(separator: ", "))",
                      hint: "builtin: digits")
        }
        for kind in given {
            guard let value = reader.value(kind) else { continue }
            if let decoded = decodeSource(kind, value, anchor: reader.keyLocation(kind)) {
                if source == nil { source = Located(decoded.0, at: value.location); task = decoded.1; isImage = decoded.2 }
            }
        }
        let testFraction = reader.double("test_fraction", default: 0.3, above: 0, below: 1)
        let split = reader.choice("split", as: SplitRule.self, default: .random)
        let splitSeed = reader.int("split_seed", default: 0, range: 0...Int(Int32.max))
        let normalize = reader.choice("normalize", as: Normalization.self, default: .standardize)
        let standardizeTarget = reader.bool("standardize_target", default: true)
        reader.finish(known: Self.sourceKinds + ["test_fraction", "split", "split_seed", "normalize", "standardize_target"])
        guard let source, let testFraction, let split, let splitSeed, let normalize, let standardizeTarget else { return nil }
        return DatasetSpec(source: source, task: task, isImage: isImage, testFraction: testFraction, split: split,
                           splitSeed: splitSeed, normalize: normalize, standardizeTarget: standardizeTarget)
    }

    /// The source, its task and whether its samples are images.
    private func decodeSource(_ kind: String, _ node: YAMLNode, anchor: SourceLocation?) -> (DatasetSpec.Source, TaskKind, Bool)? {
        switch kind {
        case "builtin":
            guard let name = Scalars.choice(node, "dataset.builtin", KnownDataset.all.map(\.name), bag: bag),
                  let known = KnownDataset.named(name) else { return nil }
            return (.builtin(name: name), known.isClassification ? .classification : .regression, known.isImage)
        case "idx":
            guard let reader = MappingReader(node, path: "dataset.idx", bag: bag, anchor: anchor) else { return nil }
            let keys = ["train_images", "train_labels", "test_images", "test_labels"]
            let trainImages = path(reader, "train_images", required: true)
            let trainLabels = path(reader, "train_labels", required: true)
            let testImages = path(reader, "test_images", required: false)
            let testLabels = path(reader, "test_labels", required: false)
            if (testImages == nil) != (testLabels == nil), reader.has("test_images") != reader.has("test_labels") {
                bag.error(reader.location, "'dataset.idx' needs both test_images and test_labels, or neither")
            }
            reader.finish(known: keys)
            guard let trainImages, let trainLabels else { return nil }
            return (.idx(trainImages: trainImages, trainLabels: trainLabels, testImages: testImages, testLabels: testLabels), .classification, true)
        case "csv":
            guard let reader = MappingReader(node, path: "dataset.csv", bag: bag, anchor: anchor) else { return nil }
            let file = path(reader, "path", required: true)
            let target = reader.string("target", required: true, what: "the column to predict")
            let task = reader.choice("task", as: TaskKind.self, required: true)
            let drop = reader.stringList("drop")
            let missing = reader.stringList("missing_values", default: ["", "NA", "N/A", "NaN", "nan", "null", "NULL"])
            let columns = reader.choice("missing_columns", as: MissingColumns.self, default: .drop)
            reader.finish(known: ["path", "target", "task", "drop", "missing_values", "missing_columns"])
            guard let file, let target, let task, let drop, let missing, let columns else { return nil }
            return (.csv(path: file, target: target.value, drop: drop.value, missingValues: missing.value, missingColumns: columns.value),
                    task.value, false)
        case "npy":
            guard let reader = MappingReader(node, path: "dataset.npy", bag: bag, anchor: anchor) else { return nil }
            let features = path(reader, "features", required: true)
            let targets = path(reader, "targets", required: true)
            let task = reader.choice("task", as: TaskKind.self, default: .classification)
            let images = reader.bool("images", default: false)
            reader.finish(known: ["features", "targets", "task", "images"])
            guard let features, let targets, let task, let images else { return nil }
            return (.npy(features: features, targets: targets), task.value, images.value)
        case "hdf5":
            guard let reader = MappingReader(node, path: "dataset.hdf5", bag: bag, anchor: anchor) else { return nil }
            let file = path(reader, "path", required: true)
            let features = reader.string("features", required: true, what: "the dataset of features, e.g. /x")
            let targets = reader.string("targets", required: true, what: "the dataset of targets, e.g. /y")
            let task = reader.choice("task", as: TaskKind.self, default: .classification)
            let images = reader.bool("images", default: false)
            reader.finish(known: ["path", "features", "targets", "task", "images"])
            guard let file, let features, let targets, let task, let images else { return nil }
            return (.hdf5(path: file, features: features.value, targets: targets.value), task.value, images.value)
        case "synthetic":
            return decodeSynthetic(node, anchor: anchor)
        default:
            return nil
        }
    }

    private func decodeSynthetic(_ node: YAMLNode, anchor: SourceLocation?) -> (DatasetSpec.Source, TaskKind, Bool)? {
        guard let reader = MappingReader(node, path: "dataset.synthetic", bag: bag, anchor: anchor) else { return nil }
        let kind = reader.choice("kind", ["ibal", "blobs"], default: "ibal")
        let sizes = reader.intList("sizes", default: [2000, 500, 50], range: 1...1_000_000, nonEmpty: true)
        let spread = reader.double("spread", default: 1, above: 0)
        let seed = reader.int("seed", default: 0, range: 0...Int(Int32.max))
        var centers: [[Double]] = [[0, 0], [2, 0], [1, 1.732]]
        var centersValid = true
        if let node = reader.value("centers") {
            centersValid = false
            if let rows = Scalars.list(node, "dataset.synthetic.centers", bag: bag) {
                let parsed = rows.map { row in Scalars.list(row, "dataset.synthetic.centers", bag: bag)?.compactMap {
                    Scalars.double($0, "dataset.synthetic.centers", bag: bag) } }
                if parsed.allSatisfy({ $0 != nil }) {
                    let values = parsed.compactMap { $0 }
                    if let width = values.first?.count, width > 0, values.allSatisfy({ $0.count == width }) {
                        centers = values
                        centersValid = true
                    } else {
                        bag.error(node.location, "'dataset.synthetic.centers' must be rows of equal, non-zero length")
                    }
                }
            }
        }
        let hasDimensions = reader.has("dimensions"), hasTest = reader.has("test")
        let dimensions = reader.int("dimensions", default: 2, range: 1...1_000_000)
        let test = reader.int("test", default: 1, range: 1...10_000_000)
        reader.finish(known: ["kind", "sizes", "centers", "spread", "seed", "dimensions", "test"])
        guard let kind, let sizes, let spread, let seed, centersValid else { return nil }
        if hasDimensions {
            // Generated row by row into the store; the centres come from the seed.
            guard let dimensions, let test else { return nil }
            guard kind.value == "blobs", !reader.has("centers") else {
                bag.error(dimensions.location ?? reader.location,
                          "'dataset.synthetic.dimensions' needs kind: blobs and no 'centers' (the centres are drawn from the seed)")
                return nil
            }
            guard sizes.value.count >= 2 else {
                bag.error(sizes.location ?? reader.location, "'dataset.synthetic.sizes' needs at least two classes")
                return nil
            }
            let testRows = hasTest ? test.value : max(1, sizes.value.reduce(0, +) / 10)
            return (.syntheticPool(sizes: sizes.value, dimensions: dimensions.value, spread: spread.value, seed: seed.value, test: testRows),
                    .classification, false)
        }
        if hasTest {
            bag.error(test?.location ?? reader.location,
                      "'dataset.synthetic.test' is for generated pools: give 'dimensions' too (else test_fraction splits the set)")
            return nil
        }
        if kind.value == "ibal", reader.has("centers") || reader.has("sizes") {
            // Allowed: explicit values override the preset.
        }
        if sizes.value.count != centers.count {
            bag.error(sizes.location ?? reader.location,
                      "'dataset.synthetic' has \(sizes.value.count) class sizes but \(centers.count) centres; give one centre per class")
            return nil
        }
        guard sizes.value.count >= 2 else {
            bag.error(sizes.location ?? reader.location, "'dataset.synthetic.sizes' needs at least two classes")
            return nil
        }
        return (.synthetic(sizes: sizes.value, centers: centers, spread: spread.value, seed: seed.value), .classification, false)
    }

    /// A file path resolved against the workflow's folder; reports a missing file.
    private func path(_ reader: MappingReader, _ key: String, required: Bool) -> String? {
        guard let text = reader.string(key, required: required, what: "a file path") else { return nil }
        let resolved = text.value.hasPrefix("/") ? text.value : (folder as NSString).appendingPathComponent(text.value)
        let standardized = (resolved as NSString).standardizingPath
        var isFolder: ObjCBool = false
        if !FileManager.default.fileExists(atPath: standardized, isDirectory: &isFolder) || isFolder.boolValue {
            bag.error(text.location ?? reader.location, "file '\(text.value)' does not exist (looked for \(standardized))",
                      hint: "paths are relative to the workflow file's folder")
            return nil
        }
        return standardized
    }

    // MARK: Model and training

    private func decodeModel(_ node: YAMLNode, anchor: SourceLocation?) -> ModelSpec? {
        guard let reader = MappingReader(node, path: "model", bag: bag, anchor: anchor) else { return nil }
        let kinds = ModelSpec.Kind.allCases.map(\.rawValue)
        let given = reader.keys.filter { kinds.contains($0) }
        if given.isEmpty {
            let unknown = reader.keys.first
            let hint = unknown.flatMap { Suggestion.closest(to: $0, among: kinds) }.map { "did you mean '\($0)'?" }
            bag.error(unknown.flatMap(reader.keyLocation) ?? reader.location,
                      unknown.map { "unknown model '\($0)'; alflow builds \(kinds.joined(separator: ", "))" }
                        ?? "'model' needs one of \(kinds.joined(separator: ", "))", hint: hint)
            return nil
        }
        if given.count > 1 {
            bag.error(reader.keyLocation(given[1]) ?? reader.location, "'model' names two networks, '\(given[0])' and '\(given[1])'; give one")
        }
        let kindName = given[0]
        guard let kind = ModelSpec.Kind(rawValue: kindName), let options = reader.value(kindName) else { return nil }
        for other in given.dropFirst() { _ = reader.value(other) }
        reader.finish(known: kinds)
        if kind == .external {
            return ExternalModelDecoder(folder: folder, bag: bag).decode(options, anchor: reader.keyLocation(kindName)).map {
                ModelSpec(kind: .external, hidden: [], dropout: 0, location: reader.keyLocation(kindName), external: $0)
            }
        }
        guard let inner = MappingReader(options, path: "model.\(kindName)", bag: bag, anchor: reader.keyLocation(kindName)) else { return nil }
        let hidden = kind == .mlp ? inner.intList("hidden", default: [64], range: 1...100_000) : nil
        let dropout = kind == .linear ? Located(0.0, at: nil) : inner.double("dropout", default: 0, atLeast: 0, below: 1)
        inner.finish(known: kind == .mlp ? ["hidden", "dropout"] : kind == .linear ? [] : ["dropout"])
        guard let dropout else { return nil }
        if kind == .mlp && hidden == nil { return nil }
        return ModelSpec(kind: kind, hidden: hidden?.value ?? [], dropout: dropout.value, location: reader.keyLocation(kindName))
    }

    private func decodeTrain(_ node: YAMLNode?, at location: SourceLocation) -> TrainSpec? {
        let empty = YAMLNode(.scalar("", plain: true), at: location)
        guard let reader = MappingReader(node ?? empty, path: "train", bag: bag, anchor: location) else { return nil }
        let epochs = reader.int("epochs", default: 40, range: 1...100_000)
        let batch = reader.int("batch_size", default: 32, range: 1...1_000_000)
        let optimizer = reader.choice("optimizer", as: OptimizerChoice.self, default: .adam)
        let rate = reader.double("learning_rate", default: 0.001, above: 0)
        let momentum = reader.double("momentum", default: optimizer?.value == .sgd ? 0.9 : 0, atLeast: 0, below: 1)
        let decay = reader.double("weight_decay", default: 0, atLeast: 0)
        let milestones = reader.intList("milestones", default: [], range: 1...100_000)
        let gamma = reader.double("gamma", default: 0.1, above: 0)
        let restart = reader.choice("restart", as: Restart.self, default: .scratch)
        let balanced = reader.choice("class_balanced", as: ClassBalancing.self, default: .auto)
        reader.finish(known: ["epochs", "batch_size", "optimizer", "learning_rate", "momentum", "weight_decay",
                              "milestones", "gamma", "restart", "class_balanced"])
        if let momentum, momentum.location != nil, optimizer?.value == .adam {
            bag.error(momentum.location ?? reader.location, "'train.momentum' applies to sgd only", hint: "set optimizer: sgd, or remove momentum")
        }
        if let milestones, let epochs {
            let sorted = milestones.value == milestones.value.sorted() && Set(milestones.value).count == milestones.value.count
            if !sorted {
                bag.error(milestones.location ?? reader.location, "'train.milestones' must be increasing epochs, found \(milestones.value)")
            } else if let last = milestones.value.last, last >= epochs.value {
                bag.error(milestones.location ?? reader.location,
                          "'train.milestones' has epoch \(last), but training stops after \(epochs.value) epochs")
            }
        }
        guard let epochs, let batch, let optimizer, let rate, let momentum, let decay, let milestones, let gamma,
              let restart, let balanced else { return nil }
        return TrainSpec(epochs: epochs, batchSize: batch, optimizer: optimizer, learningRate: rate, momentum: momentum,
                         weightDecay: decay, milestones: milestones, gamma: gamma, restart: restart, classBalanced: balanced)
    }

    private func decodeLoop(_ node: YAMLNode, anchor: SourceLocation?) -> LoopSpec? {
        guard let reader = MappingReader(node, path: "loop", bag: bag, anchor: anchor) else { return nil }
        let initial = reader.int("initial", range: 1...10_000_000, required: true, what: "labels before the first query")
        let query = reader.int("query", range: 1...10_000_000, required: true, what: "labels added per cycle")
        let cycles = reader.int("cycles", range: 1...10_000, required: true, what: "train/evaluate rounds")
        var candidates: Located<Int?> = Located(nil, at: nil)
        if let node = reader.value("candidates"), !node.isNull {
            if let value = Scalars.int(node, "loop.candidates", bag: bag, range: 1...100_000_000) {
                candidates = Located(value, at: node.location)
            }
        }
        let cover = reader.bool("cover_classes", default: true)
        reader.finish(known: ["initial", "query", "cycles", "candidates", "cover_classes"])
        if let query, let count = candidates.value, count < query.value {
            bag.error(candidates.location ?? reader.location,
                      "'loop.candidates' (\(count)) is smaller than 'loop.query' (\(query.value)): a query cannot pick more than it scores")
        }
        guard let initial, let query, let cycles, let cover else { return nil }
        return LoopSpec(initial: initial, query: query, cycles: cycles, candidates: candidates, coverClasses: cover)
    }

    // MARK: Strategies and metrics

    private func decodeStrategies(_ node: YAMLNode, task: TaskKind?, model: ModelSpec?, anchor: SourceLocation?) -> [StrategySpec]? {
        guard let reader = MappingReader(node, path: "strategies", bag: bag, anchor: anchor) else { return nil }
        guard !reader.keys.isEmpty else {
            bag.error(node.location, "'strategies' is empty; name at least one", hint: "strategies: {random: {}, entropy: {}}")
            return nil
        }
        let decoder = StrategyDecoder(bag: bag)
        var result: [StrategySpec] = []
        var valid = true
        for name in reader.keys {
            guard let value = reader.value(name), let location = reader.keyLocation(name) else { continue }
            if let spec = decoder.decode(name: name, value, at: location, task: task, model: model) { result.append(spec) } else { valid = false }
        }
        return valid ? result : nil
    }

    private func decodeMetrics(_ node: YAMLNode?, at location: SourceLocation?, task: TaskKind?) -> Located<[Metric]>? {
        let defaults: [Metric] = task == .regression ? [.rmse, .mae] : [.accuracy]
        guard let node, !node.isNull else { return Located(defaults, at: nil) }
        guard let items = Scalars.list(node, "evaluate", bag: bag) else { return nil }
        guard !items.isEmpty else {
            bag.error(node.location, "'evaluate' is empty; name a metric", hint: task == .regression ? "evaluate: [rmse, mae]" : "evaluate: [accuracy]")
            return nil
        }
        var metrics: [Metric] = []
        for item in items {
            guard let name = Scalars.choice(item, "evaluate", Metric.allCases.map(\.rawValue), bag: bag), let metric = Metric(rawValue: name) else { continue }
            if let task, metric.isClassification != (task == .classification) {
                bag.error(item.location, "metric '\(name)' does not apply to a \(task.rawValue) task",
                          hint: task == .regression ? "use rmse or mae" : "use accuracy")
                continue
            }
            metrics.append(metric)
        }
        return metrics.count == items.count ? Located(metrics, at: node.location) : nil
    }
}
