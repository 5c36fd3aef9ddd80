import ActiveLearning
import ArtifactStore
import HDF5
import NeuralNetworks
import Tensors
import Workflows

/// perturb: the model's outputs over the candidates under perturbation.
///
///     deviations      [n, K·w]  Noise Stability: (o_k − o)/‖o‖ for K weight-noise draws
///     probabilities   [n, T·C]  Monte-Carlo dropout: softmax of T dropout passes
enum PerturbStage {
    static func compute(load: Input, train: Input, selection: Input, model: ModelSpec, family: PerturbFamily, samples: Int,
                        noise: Double, dropout: Double, output: String, seed: UInt64) throws -> ArtifactContent {
        let candidates = try selection.indices("candidates")
        let features = try LoadStage.poolFeatures(load, candidates)
        var content = ArtifactContent(attributes: ["family": .string(family.rawValue), "samples": .integer(Int64(samples))])
        switch family {
        case .noiseStability:
            let network = try Networks.make(model, load: load)
            let parameters = try Networks.parameters(train, for: network)
            let deviations = NoiseStability.deviations(network: network, parameters: parameters, candidates: features,
                                                       noise: Float(noise), samples: samples,
                                                       output: output == "embedding" ? .embedding : .probabilities, seed: seed)
            content.arrays["deviations"] = HDF5Array(deviations)
        case .monteCarloDropout:
            let network = try Networks.make(model, load: load, dropout: dropout)
            let parameters = try Networks.parameters(train, for: network)
            let probabilities = MonteCarloDropout.probabilities(network: network, parameters: parameters, candidates: features,
                                                                passes: samples, seed: seed)
            content.arrays["probabilities"] = HDF5Array(probabilities)
        }
        return content
    }
}
