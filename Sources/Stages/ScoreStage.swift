import ArtifactStore
import HDF5
import NeuralNetworks
import Strategies
import Tensors
import Workflows

/// score: the strategy's scores and the vectors its batch rule needs
/// (`ScorePayload` declares the arrays), computed by the strategy from what
/// `ScoringInputs` offers: the candidates' features and softmax, the
/// labelled set's features and labels, the classifier head, the perturbation.
enum ScoreStage {
    /// Implementation version (part of every score stage key): bump it whenever what this file computes changes.
    static let version = 1

    static func compute(kind: StrategyKind, parameters: StrategyParameters, model: ModelSpec, load: LoadPayload,
                        train: Input, selection: SelectionPayload, perturb: Input?, seed: UInt64) throws -> ArtifactContent {
        let network = try Networks.make(model, load: load)
        let weights = try Networks.parameters(train, for: network)
        let candidates = selection.candidates, labeled = selection.labeled
        let inference = CandidateInference(network: network, weights: weights, count: candidates.count) {
            try load.poolFeatures(Array(candidates[$0]))
        }
        let inputs = ScoringInputs(
            isClassification: load.isClassification, classes: load.classes, seed: seed,
            embeddings: { inference.candidateEmbeddings() }, probabilities: { inference.probabilities() },
            labeledEmbeddings: { network.infer(try load.poolFeatures(labeled), parameters: weights).embeddings },
            labeledLabels: {
                let labels = try load.poolLabels()
                return labeled.map { labels[$0] }
            },
            head: { try Networks.head(weights) },
            perturbation: try perturb.map { try PerturbStage.payload($0, candidates: candidates.count) })
        let payload = try kind.declaration.score(inputs, parameters)
        try inference.check()
        return try content(kind: kind, payload: payload, candidates: candidates.count)
    }

    /// The object of a strategy's score payload, each array's row count checked.
    static func content(kind: StrategyKind, payload: ScorePayload, candidates count: Int) throws -> ArtifactContent {
        var content = ArtifactContent(attributes: ["strategy": .string(kind.rawValue)])
        if let scores = payload.scores {
            guard scores.count == count else { throw shapeError(kind, "scores", scores.count, count) }
            content.arrays["scores"] = HDF5Array(scores)
        }
        for (name, path) in ScorePayload.matrices {
            if let tensor = payload[keyPath: path] { content.arrays[name] = HDF5Array(tensor) }
        }
        if let count = payload.labeledCount { content.attributes["labeled_count"] = .integer(Int64(count)) }
        return content
    }

    /// The score stage's object as the strategy wrote it, each array's presence and row count checked.
    static func payload(_ score: Input, candidates: Int) throws -> ScorePayload {
        var payload = ScorePayload()
        if score.has("scores") {
            let scores = try score.floats("scores").scalars
            guard scores.count == candidates else {
                throw StageError.malformedInput(stage: score.id, what: "'scores' has \(scores.count) values for \(candidates) candidates")
            }
            payload.scores = scores
        }
        for (name, path) in ScorePayload.matrices where score.has(name) { payload[keyPath: path] = try score.floats(name) }
        if let embeddings = payload.embeddings, embeddings.rowCount != candidates {
            throw StageError.malformedInput(stage: score.id, what: "'embeddings' has \(embeddings.rowCount) rows for \(candidates) candidates")
        }
        if score.attributes["labeled_count"] != nil { payload.labeledCount = try score.integer("labeled_count") }
        return payload
    }

    static func shapeError(_ kind: StrategyKind, _ array: String, _ found: Int, _ expected: Int) -> StageError {
        .malformedInput(stage: "score", what: "strategy \(kind.rawValue) wrote \(found) '\(array)' for \(expected) candidates")
    }
}
