import ActiveLearning
import ArtifactStore
import Execution
import ExternalModels
import Foundation
import HDF5
import Strategies
import Tensors
import Workflows

/// train, perturb, score and evaluate for an external model: the same
/// stages, objects and keys as the built-in engine's, with the model's work
/// done by its worker (docs/external-models.md). Everything alflow computes
/// from the model's outputs — Noise Stability deviations, BADGE and VeSSAL
/// gradient embeddings, k-center, metrics — stays in alflow.
enum ExternalModelStages {
    /// Implementation version of this file's requests and checks (part of every key of an external model's stages).
    static let version = 1

    // MARK: train

    static func train(_ runtime: ExternalModelRuntime, load: LoadPayload, selection: SelectionPayload, previous: Input?, train: TrainSpec,
                      cycle: Int, workflowSeed: UInt64, streamSeed: UInt64, classBalanced: Bool, context: StageContext) throws -> ArtifactContent {
        let client = ExternalInference(runtime: runtime, context: context, load: load)
        var initialization = RandomStream(seed: workflowSeed, purpose: "init", UInt64(cycle))
        let checkpoints = ExternalInference.absolute(context.store.layout.externalCheckpoint(context.stage.key))
        try FileManager.default.createDirectory(atPath: checkpoints, withIntermediateDirectories: true)
        var hyperparameters: [String: JSONValue] = [:]
        hyperparameters["epochs"] = .integer(Int64(train.epochs.value))
        hyperparameters["batch_size"] = .integer(Int64(train.batchSize.value))
        hyperparameters["optimizer"] = .string(train.optimizer.value.rawValue)
        hyperparameters["learning_rate"] = .number(train.learningRate.value)
        hyperparameters["momentum"] = .number(train.momentum.value)
        hyperparameters["weight_decay"] = .number(train.weightDecay.value)
        hyperparameters["milestones"] = .indices(train.milestones.value)
        hyperparameters["gamma"] = .number(train.gamma.value)
        hyperparameters["class_balanced"] = .string(classBalanced ? "auto" : "never")
        context.progress(0, "external training")
        var fields: [String: JSONValue] = [:]
        fields["data"] = try client.data()
        fields["rows"] = .indices(selection.labeled)
        fields["hyperparameters"] = .object(hyperparameters)
        fields["seed"] = .unsigned(streamSeed)
        fields["init_seed"] = .unsigned(initialization.nextUInt64())
        fields["initial_weights"] = try previous.map { try client.weights($0) } ?? .null
        fields["checkpoint_dir"] = .string(checkpoints)
        let (response, arrays) = try client.request("train", fields)
        var content = ArtifactContent()
        let names = arrays.keys.filter { $0.hasPrefix("parameters/") }.sorted()
        guard !names.isEmpty else { throw ExternalModelError.invalidOutput("the trained model has no '/parameters/…' datasets") }
        for name in names {
            guard let array = arrays[name] else { continue }
            switch array.elementType {
            case .float32:
                guard array.values(as: Float.self)?.allSatisfy({ $0.isFinite }) ?? false else {
                    throw ExternalModelError.invalidOutput("'\(name)' holds a non-finite value")
                }
            case .float64:
                guard array.values(as: Double.self)?.allSatisfy({ $0.isFinite }) ?? false else {
                    throw ExternalModelError.invalidOutput("'\(name)' holds a non-finite value")
                }
            case .int64, .int32: break
            case .uint8: throw ExternalModelError.invalidOutput("'\(name)' is uint8; weights are float32, float64 or int64")
            }
            content.arrays[name] = array
        }
        guard let losses = response.numbers("losses"), losses.allSatisfy({ $0.isFinite }) else {
            throw ExternalModelError.invalidOutput("the train response has no finite 'losses' list")
        }
        content.arrays["curve/loss"] = HDF5Array(losses)
        content.attributes["epochs"] = .integer(Int64(response.int("epochs") ?? losses.count))
        content.attributes["samples"] = .integer(Int64(selection.labeled.count))
        content.attributes["architecture"] = .string("external:" + runtime.description.name)
        record(&content, device: response.string("device") ?? "", nondeterministic: response.strings("nondeterministic"))
        // Not in the object: a resumed training's object equals an uninterrupted one's, bit for bit.
        if let resumed = response.int("resumed_from"), resumed > 0 { context.progress(1, "resumed at epoch \(resumed)") }
        return content
    }

    // MARK: perturb

    static func perturb(_ runtime: ExternalModelRuntime, load: LoadPayload, train: Input, selection: SelectionPayload,
                        request: PerturbationRequest, seed: UInt64, context: StageContext) throws -> ArtifactContent {
        let client = ExternalInference(runtime: runtime, context: context, load: load)
        let rows = selection.candidates
        var content = ArtifactContent(attributes: ["family": .string(request.family.rawValue), "samples": .integer(Int64(request.samples))])
        let values: Tensor
        let outputs: ExternalInference.Outputs
        switch request.family {
        case .noiseStability:
            let clean = request.output == .embedding ? "embeddings" : load.isClassification ? "probabilities" : "predictions"
            let width: Int? = clean == "probabilities" ? load.classes : clean == "predictions" ? 1 : runtime.description.embeddingDimension
            let noise: JSONValue = .object([
                "samples": .integer(Int64(request.samples)), "noise": .number(request.noise ?? 0), "seed": .unsigned(seed),
                "output": .string(request.output == .embedding ? "embeddings" : "probabilities"),
            ])
            let wanted: [String: Int?] = [clean: width, "weight_noise": nil]
            outputs = try client.infer(split: "train", rows: rows, weights: train, outputs: wanted, extra: ["weight_noise": noise])
            let reference = try outputs(clean), perturbed = try outputs("weight_noise")
            guard perturbed.rowWidth == request.samples * reference.rowWidth else {
                throw ExternalModelError.invalidOutput("'weight_noise' has shape \(perturbed.shape), expected [\(rows.count), \(request.samples * reference.rowWidth)]")
            }
            values = NoiseStability.deviations(clean: reference, perturbed: perturbed, samples: request.samples)
        case .monteCarloDropout:
            let passes: JSONValue = .object([
                "samples": .integer(Int64(request.samples)), "dropout": .number(request.dropout ?? 0.3), "seed": .unsigned(seed),
            ])
            let wanted: [String: Int?] = ["mc_dropout": request.samples * load.classes]
            outputs = try client.infer(split: "train", rows: rows, weights: train, outputs: wanted, extra: ["mc_dropout": passes])
            values = try outputs("mc_dropout")
        }
        content.arrays[PerturbationPayload.arrayName(request.family)] = HDF5Array(values)
        record(&content, device: outputs.device, nondeterministic: outputs.nondeterministic)
        return content
    }

    // MARK: score

    static func score(_ runtime: ExternalModelRuntime, kind: StrategyKind, parameters: StrategyParameters, load: LoadPayload, train: Input,
                      selection: SelectionPayload, perturb: Input?, seed: UInt64, context: StageContext) throws -> ArtifactContent {
        let client = ExternalInference(runtime: runtime, context: context, load: load)
        let declaration = kind.declaration
        let candidates = selection.candidates, labeled = selection.labeled
        let embeddingWidth = runtime.description.embeddingDimension
        var requested: [String: Int?] = [load.isClassification ? "probabilities" : "predictions": load.isClassification ? load.classes : 1]
        if declaration.usesEmbeddings { requested["embeddings"] = embeddingWidth }
        let first = try client.infer(split: "train", rows: candidates, weights: train, outputs: requested)
        let outputs = load.isClassification ? try first("probabilities") : try first("predictions")
        let embeddings = first.arrays["embeddings"]
        let name = kind.rawValue
        let inputs = ScoringInputs(
            isClassification: load.isClassification, classes: load.classes, seed: seed,
            embeddings: {
                guard let embeddings else { throw ExternalModelError.unsupported("strategy \(name) read embeddings without declaring usesEmbeddings") }
                return embeddings
            },
            probabilities: { outputs },
            labeledEmbeddings: { try client.infer(split: "train", rows: labeled, weights: train, outputs: ["embeddings": embeddingWidth])("embeddings") },
            labeledLabels: {
                let labels = try load.poolLabels()
                return labeled.map { labels[$0] }
            },
            head: {
                let head = try client.infer(split: "train", rows: [], weights: train, outputs: ["head/weight": embeddingWidth, "head/bias": 1])
                let weight = try head("head/weight"), bias = try head("head/bias")
                guard weight.rowCount == load.classes, bias.rowCount == load.classes else {
                    throw ExternalModelError.invalidOutput("'head/weight' is \(weight.shape) and 'head/bias' \(bias.shape) for \(load.classes) classes")
                }
                return ClassifierHead(weights: weight.transposed(), bias: bias.scalars)
            },
            perturbation: try perturb.map { try PerturbStage.payload($0, candidates: candidates.count) })
        var content = try ScoreStage.content(kind: kind, payload: try declaration.score(inputs, parameters), candidates: candidates.count)
        record(&content, device: first.device, nondeterministic: first.nondeterministic)
        return content
    }

    // MARK: evaluate

    static func evaluate(_ runtime: ExternalModelRuntime, load: LoadPayload, train: Input, metrics: [Metric],
                         context: StageContext) throws -> ArtifactContent {
        let client = ExternalInference(runtime: runtime, context: context, load: load)
        let rows = Array(0..<(load.input.shape("test/features")?.first ?? 0))
        let name = load.isClassification ? "probabilities" : "predictions"
        let outputs = try client.infer(split: "test", rows: rows, weights: train, outputs: [name: load.isClassification ? load.classes : 1])
        var content = try EvaluateStage.payload(outputs: try outputs(name), load: load, labeled: try train.integer("samples"),
                                                metrics: metrics).content
        record(&content, device: outputs.device, nondeterministic: outputs.nondeterministic)
        return content
    }

    /// Where it ran and what ran without a deterministic implementation: recorded, never hidden.
    static func record(_ content: inout ArtifactContent, device: String, nondeterministic: [String]) {
        content.attributes["external_device"] = .string(device)
        content.attributes["external_nondeterministic"] = .string(nondeterministic.joined(separator: ", "))
    }
}
