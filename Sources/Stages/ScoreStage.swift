import ActiveLearning
import ArtifactStore
import HDF5
import NeuralNetworks
import Tensors
import Workflows

/// score: per-candidate scores and the vectors the batch rule needs.
///
///     scores               [n]     larger = query first (entropy, BALD, ‖D‖, IBAL importance…)
///     probabilities        [n, C]  softmax of the candidates
///     embeddings           [n, d]  penultimate features of the candidates
///     labeled_embeddings   [m, d]  …of the labelled set (core-set, IBAL, distance terms)
///     class_factors        [n, C]  BADGE's e_ŷ − p
///     vectors              [L+n, d] / [n, D]  TypiClust/ProbCover points (labelled first) or VeSSAL embeddings
enum ScoreStage {
    static func compute(kind: StrategyKind, parameters: [String: StrategyParameterValue], model: ModelSpec, load: Input,
                        train: Input, selection: Input, perturb: Input?) throws -> ArtifactContent {
        let network = try Networks.make(model, load: load)
        let weights = try Networks.parameters(train, for: network)
        let candidates = try selection.indices("candidates")
        let labeled = try selection.indices("labeled")
        let inference = network.infer(try LoadStage.poolFeatures(load, candidates), parameters: weights)
        let probabilities = { inference.outputs.softmaxRows() }
        let labeledEmbeddings = { network.infer(try LoadStage.poolFeatures(load, labeled), parameters: weights).embeddings }
        var content = ArtifactContent(attributes: ["strategy": .string(kind.rawValue)])
        func store(_ name: String, _ tensor: Tensor) { content.arrays[name] = HDF5Array(tensor) }
        switch kind {
        case .random:
            break
        case .leastConfidence:
            content.arrays["scores"] = HDF5Array(UncertaintyScores.leastConfidence(probabilities()))
        case .margin:
            content.arrays["scores"] = HDF5Array(UncertaintyScores.margin(probabilities()))
        case .entropy:
            content.arrays["scores"] = HDF5Array(UncertaintyScores.entropy(probabilities()))
        case .bald, .entropyBayesian, .batchBald:
            guard let perturb else { throw StageError.malformedInput(stage: "perturb", what: "missing for \(kind.rawValue)") }
            let mc = try perturb.floats("probabilities")
            let passes = try perturb.integer("samples")
            content.arrays["scores"] = HDF5Array(kind == .entropyBayesian
                ? UncertaintyScores.expectedEntropy(mc, passes: passes) : UncertaintyScores.bald(mc, passes: passes))
        case .coreset:
            store("embeddings", inference.embeddings)
            store("labeled_embeddings", try labeledEmbeddings())
        case .badge:
            store("class_factors", BADGE.classFactors(probabilities: probabilities()))
            store("embeddings", inference.embeddings)
        case .typiclust, .probcover:
            store("vectors", Tensor.concatenateRows([try labeledEmbeddings(), inference.embeddings]).normalizedRows())
            content.attributes["labeled_count"] = .integer(Int64(labeled.count))
        case .vessal:
            let classification = try LoadStage.isClassification(load)
            let embedding = parameters["embedding"] == .text("penultimate") || !classification
            store("vectors", embedding ? inference.embeddings : VeSSAL.gradientEmbeddings(probabilities: probabilities(), embeddings: inference.embeddings))
        case .noiseStability:
            guard let perturb else { throw StageError.malformedInput(stage: "perturb", what: "missing for noise_stability") }
            content.arrays["scores"] = HDF5Array(NoiseStability.magnitudes(try perturb.floats("deviations")))
        case .ibal, .ibalD:
            let labels = try load.labels("train/targets")
            let variant: IBAL.Variant = parameters["variant"] == .text("B") ? .b : .a
            let lambda: Double = { if case .double(let v) = parameters["lambda"] { return v } else { return 0.003 } }()
            let labeledVectors = try labeledEmbeddings()
            content.arrays["scores"] = HDF5Array(IBAL.importance(probabilities: probabilities(), candidateEmbeddings: inference.embeddings,
                                                                 labeledEmbeddings: labeledVectors, labels: labeled.map { labels[$0] },
                                                                 lambda: lambda, variant: variant))
            store("embeddings", inference.embeddings)
            store("labeled_embeddings", labeledVectors)
        case .entropyDistance:
            content.arrays["scores"] = HDF5Array(UncertaintyScores.entropy(probabilities()))
            store("embeddings", inference.embeddings)
            store("labeled_embeddings", try labeledEmbeddings())
        }
        return content
    }
}
