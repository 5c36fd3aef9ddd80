import ActiveLearning
import ArtifactStore
import NeuralNetworks
import Strategies
import Workflows

/// What each stage kind holds while it runs, stated from the shapes of its
/// stored inputs (read from their headers, no arrays): the scheduler starts
/// a stage under `--memory` only if this fits in what the running ones leave.
/// Estimates, rounded up: the arrays a stage reads and writes, its model's
/// parameters (and for training gradients and Adam's moments), and one
/// chunk of activations per thread.
extension StageComputer {
    /// The bytes stage `id` will hold; a load stage claims everything (it runs alone).
    public func workingSet(_ id: String, store: ArtifactStore) -> Int {
        guard let planned = plan.stage(id) else { return 0 }
        if case .load = planned.task { return Int.max / 4 }
        var objects: [StageKind: StoredObject] = [:]
        for input in planned.inputs {
            guard let stage = plan.stage(input), case .hit(let object)? = try? store.open(stage.digest) else { continue }
            objects[stage.kind] = object
        }
        guard let loadObject = objects[.load] else { return 0 }
        let pool = loadObject.shape("train/features") ?? [0]
        let shape = Shapes(poolRows: pool.first ?? 0, width: pool.dropFirst().reduce(1, *),
                           testRows: loadObject.shape("test/features")?.first ?? 0,
                           candidates: objects[.select]?.shape("candidates")?.first ?? 0,
                           labeled: objects[.select]?.shape("labeled")?.first ?? 0)
        let load = try? LoadPayload(Input(id: "load", object: loadObject))
        func network(_ model: ModelSpec) -> Network? { load.flatMap { try? Networks.make(model, load: $0) } }
        let float = 4
        switch planned.task {
        case .load:
            return Int.max / 4
        case .initialSelection:
            return shape.poolRows * 40
        case .train(let model, let train, _, _, _):
            let net = network(model)
            return shape.labeled * shape.width * float * 2 + Self.parameters(net) * float * 7
                + train.batchSize.value * Self.activations(net) * float * 3
        case .evaluate(_, let model):
            let net = network(model)
            return shape.testRows * shape.width * float + Self.parameters(net) * float
                + Network.inferenceChunk * Self.activations(net) * float * 2 + shape.testRows * (net?.outputDimensions ?? 1) * float
        case .perturb(let request, let model):
            let net = network(model)
            let outputs = request.output == .embedding ? net?.embeddingDimensions ?? 1 : net?.outputDimensions ?? 1
            let values = shape.candidates * request.samples * outputs * float
            switch request.family {
            case .noiseStability:
                let chunk = net.map { NoiseStability.variantChunk($0, samples: request.samples) } ?? 4096
                return values + min(shape.candidates, NoiseStability.streamBlock) * shape.width * float
                    + request.samples * Self.parameters(net) * float
                    + 2 * chunk * (request.samples * Self.firstLayerOutput(net) + Self.activations(net)) * float
            case .monteCarloDropout:
                return values + shape.candidates * shape.width * float + Network.inferenceChunk * Self.activations(net) * float * 4
            }
        case .score(_, _, let model):
            let net = network(model)
            let perturbation = objects[.perturb].map(Self.bytes) ?? 0
            let perCandidate = ((net?.outputDimensions ?? 1) * 3 + (net?.embeddingDimensions ?? 1) * 2) * float
            return perturbation + shape.candidates * perCandidate + min(shape.candidates, NoiseStability.streamBlock) * shape.width * float
                + shape.labeled * shape.width * float + Network.inferenceChunk * Self.activations(net) * float * 2
        case .query:
            let inputs = (objects[.perturb].map(Self.bytes) ?? 0) + (objects[.score].map(Self.bytes) ?? 0)
            return inputs + shape.candidates * 24 + shape.poolRows * 16
        }
    }

    private struct Shapes {
        let poolRows: Int, width: Int, testRows: Int, candidates: Int, labeled: Int
    }

    private static func parameters(_ network: Network?) -> Int {
        network?.entries.reduce(0) { $0 + $1.layer.parameterShapes.reduce(0) { $0 + $1.shape.reduce(1, *) } } ?? 0
    }

    /// The output size of the first layer that is not a `Flatten` (the layer Noise Stability widens K times).
    private static func firstLayerOutput(_ network: Network?) -> Int {
        guard let network else { return 0 }
        var first = 0
        while first < network.entries.count - 1, network.entries[first].layer is Flatten { first += 1 }
        return network.outputShapes[first].reduce(1, *)
    }

    /// Activations of one sample at the widest step of a forward pass (a
    /// layer's input and output side by side; earlier ones are released).
    private static func activations(_ network: Network?) -> Int {
        guard let network else { return 0 }
        var widest = 0, previous = network.inputShape.reduce(1, *)
        for shape in network.outputShapes {
            let size = shape.reduce(1, *)
            widest = max(widest, previous + size)
            previous = size
        }
        return widest
    }

    private static func bytes(_ object: StoredObject) -> Int {
        object.arrays.values.reduce(0) { $0 + $1.shape.reduce(1, *) * $1.elementType.byteWidth }
    }
}
