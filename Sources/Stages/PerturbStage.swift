import ActiveLearning
import ArtifactStore
import HDF5
import NeuralNetworks
import Strategies
import Tensors
import Workflows

/// perturb: the model's outputs over the candidates under perturbation.
///
///     deviations      [n, K·w]  Noise Stability: (o_k − o)/‖o‖ for K weight-noise draws
///     probabilities   [n, T·C]  Monte-Carlo dropout: softmax of T dropout passes
enum PerturbStage {
    /// Implementation version (part of every perturb stage key): bump it whenever what this file computes changes.
    static let version = 1

    static func compute(load: LoadPayload, train: Input, selection: SelectionPayload, model: ModelSpec, request: PerturbationRequest,
                        seed: UInt64) throws -> ArtifactContent {
        let candidates = selection.candidates
        var content = ArtifactContent(attributes: ["family": .string(request.family.rawValue), "samples": .integer(Int64(request.samples))])
        let values: Tensor
        switch request.family {
        case .noiseStability:
            let network = try Networks.make(model, load: load)
            let parameters = try Networks.parameters(train, for: network)
            // The candidates are read a block at a time (bit-identical to one pass).
            values = try NoiseStability.deviations(network: network, parameters: parameters, count: candidates.count,
                                                   rows: { try load.poolFeatures(Array(candidates[$0])) },
                                                   noise: Float(request.noise ?? 0), samples: request.samples,
                                                   output: request.output == .embedding ? .embedding : .probabilities, seed: seed)
        case .monteCarloDropout:
            let network = try Networks.make(model, load: load, dropout: request.dropout)
            let parameters = try Networks.parameters(train, for: network)
            values = MonteCarloDropout.probabilities(network: network, parameters: parameters, candidates: try load.poolFeatures(candidates),
                                                     passes: request.samples, seed: seed)
        }
        content.arrays[PerturbationPayload.arrayName(request.family)] = HDF5Array(values)
        return content
    }

    /// The perturb stage's object, typed, with one row per candidate checked.
    static func payload(_ perturb: Input, candidates: Int) throws -> PerturbationPayload {
        guard let family = PerturbFamily(rawValue: try perturb.text("family")) else {
            throw StageError.malformedInput(stage: perturb.id, what: "unknown perturbation family")
        }
        let name = PerturbationPayload.arrayName(family)
        let values = try perturb.floats(name)
        let samples = try perturb.integer("samples")
        guard values.shape.count == 2, values.rowCount == candidates, samples > 0, values.rowWidth % samples == 0 else {
            throw StageError.malformedInput(stage: perturb.id, what: "'\(name)' is \(values.shape), not [\(candidates), \(samples)·w]")
        }
        return PerturbationPayload(family: family, samples: samples, values: values)
    }
}
