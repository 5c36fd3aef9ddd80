import ArtifactStore
import HDF5
import Tensors
import Workflows

// The objects the stages write, each with one declared layout that its
// writer and every reader share. Reading checks presence, element type and
// shape against the layout, and a mismatch is an error naming the object
// and the array. (The score and perturb layouts are `ScorePayload` and
// `PerturbationPayload`, declared with the strategies that fill them.)

/// The load stage's object.
///
///     train/features   [N, …feature_shape] float32   the pool
///     train/targets    [N] int32 classes, or [N] float32 values
///     test/features    [T, …feature_shape] float32
///     test/targets     [T]
///     normalization/shift, normalization/factor   the feature normalisation
///     feature_shape    [rank] int64
///     attributes: task ("classification" | "regression"), classes, normalization, target_shift, target_factor, class_names
struct LoadPayload {
    let input: Input
    let isClassification: Bool
    /// Number of classes (1 for regression).
    let classes: Int
    let featureShape: [Int]
    let poolSize: Int

    init(_ input: Input) throws {
        self.input = input
        isClassification = try input.text("task") == "classification"
        classes = try input.integer("classes")
        featureShape = try input.indices("feature_shape")
        let width = featureShape.reduce(1, *)
        guard let pool = input.shape("train/features"), let poolRows = pool.first, pool.dropFirst().reduce(1, *) == width else {
            throw StageError.malformedInput(stage: input.id, what: "'train/features' is not [N, \(featureShape)]")
        }
        for split in ["train", "test"] {
            guard let features = input.shape("\(split)/features"), let targets = input.shape("\(split)/targets"),
                  targets.first == features.first, targets.count == 1 else {
                throw StageError.malformedInput(stage: input.id, what: "'\(split)/targets' does not have one value per row of '\(split)/features'")
            }
        }
        poolSize = poolRows
    }

    /// Features of pool rows `rows` (each checked against the pool).
    func poolFeatures(_ rows: [Int]) throws -> Tensor {
        guard rows.allSatisfy({ $0 >= 0 && $0 < poolSize }) else {
            throw StageError.malformedInput(stage: input.id, what: "a selection names rows outside its pool of \(poolSize)")
        }
        return try input.floatRows("train/features", rows)
    }

    /// The pool's classes (classification only).
    func poolLabels() throws -> [Int32] { try input.labels("train/targets") }
    /// The pool's target values (regression only).
    func poolValues() throws -> Tensor { try input.floats("train/targets") }
    func testFeatures() throws -> Tensor { try input.floats("test/features") }
    func testLabels() throws -> [Int32] { try input.labels("test/targets") }
    func testValues() throws -> [Float] { try input.floats("test/targets").scalars }
    /// Regression targets are (y − shift)·factor.
    func targetFactor() throws -> Double { try input.double("target_factor") }
}

/// The select stage's object: a cycle's labelled set and candidates.
///
///     labeled      [L] int64   pool rows, in the order they were labelled
///     candidates   [K] int64   pool rows scored at the end of this cycle
///     picked       [B] int64   the batch this stage added (cycles ≥ 1)
///     attributes: cycle, labeled_count
struct SelectionPayload {
    var labeled: [Int]
    var candidates: [Int]
    var picked: [Int]?
    var cycle: Int

    init(labeled: [Int], candidates: [Int], picked: [Int]?, cycle: Int) {
        self.labeled = labeled
        self.candidates = candidates
        self.picked = picked
        self.cycle = cycle
    }

    /// Reads and checks a selection: every row inside the pool, no row labelled twice.
    init(_ input: Input, poolSize: Int) throws {
        labeled = try input.indices("labeled")
        candidates = try input.indices("candidates")
        picked = input.has("picked") ? try input.indices("picked") : nil
        cycle = try input.integer("cycle")
        for (name, rows) in [("labeled", labeled), ("candidates", candidates)] where !rows.allSatisfy({ $0 >= 0 && $0 < poolSize }) {
            throw StageError.malformedInput(stage: input.id, what: "'\(name)' names rows outside the pool of \(poolSize)")
        }
        guard Set(labeled).count == labeled.count else {
            throw StageError.malformedInput(stage: input.id, what: "'labeled' holds a row twice")
        }
    }

    var content: ArtifactContent {
        var content = ArtifactContent(arrays: ["labeled": .indices(labeled), "candidates": .indices(candidates)],
                                      attributes: ["cycle": .integer(Int64(cycle)), "labeled_count": .integer(Int64(labeled.count))])
        if let picked { content.arrays["picked"] = .indices(picked) }
        return content
    }
}

/// The evaluate stage's object.
///
///     metrics/<metric>    [1] float64   accuracy as a fraction; RMSE and MAE in the target's own units
///     per_class/correct, per_class/count   [C] int64 (classification)
///     attributes: labeled (training-set size), test_size
struct EvaluatePayload {
    var metrics: [Metric: Double]
    var perClass: (correct: [Int64], count: [Int64])?
    var labeled: Int
    var testSize: Int

    var content: ArtifactContent {
        var content = ArtifactContent(attributes: ["labeled": .integer(Int64(labeled)), "test_size": .integer(Int64(testSize))])
        if let perClass {
            content.arrays["per_class/correct"] = HDF5Array(perClass.correct)
            content.arrays["per_class/count"] = HDF5Array(perClass.count)
        }
        for (metric, value) in metrics { content.arrays[metric.arrayPath] = HDF5Array([value]) }
        return content
    }
}
