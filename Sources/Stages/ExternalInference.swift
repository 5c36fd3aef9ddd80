import ArtifactStore
import Execution
import ExternalModels
import Foundation
import HDF5
import Tensors
import Workflows

/// Requests to an external model (docs/external-models.md) and the checks
/// every answer passes before anything of it is published: the file is
/// HDF5, every array has its exact shape and type, every value is finite,
/// and the rows come back in the order asked.
struct ExternalInference {
    let runtime: ExternalModelRuntime
    let context: StageContext
    let load: LoadPayload

    /// The load object, read by the model from the store itself (never copied).
    func data() throws -> JSONValue {
        var fields: [String: JSONValue] = [
            "file": .string(Self.absolute(context.store.layout.object(try Self.key(load.input)))),
            "task": .string(load.isClassification ? "classification" : "regression"),
            "classes": .integer(Int64(load.classes)), "feature_shape": .indices(load.featureShape),
        ]
        for split in ["train", "test"] {
            fields[split] = .object(["features": .string("/data/\(split)/features"), "targets": .string("/data/\(split)/targets")])
        }
        return .object(fields)
    }

    func weights(_ train: Input) throws -> JSONValue {
        .object(["file": .string(Self.absolute(context.store.layout.object(try Self.key(train)))), "group": "/data/parameters"])
    }

    /// The model reads an input's object file from the store.
    static func key(_ input: Input) throws -> String {
        guard let key = input.storedKey else { throw StageError.malformedInput(stage: input.id, what: "it is not a stored object") }
        return key
    }

    /// The worker runs in the workflow's folder: every path it is sent is absolute.
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// Sends a request whose answer is an HDF5 file; returns the response and the file's arrays.
    func request(_ op: String, _ fields: [String: JSONValue]) throws -> (response: ExternalResponse, arrays: [String: HDF5Array]) {
        let folder = try runtime.scratch(context.stage.key)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let output = Self.absolute(folder + "/output.h5")
        var request = fields
        request["output"] = .string(output)
        let cancellation = context.cancellation
        let response = try runtime.perform(op, request, stageKey: context.stage.key, cancelled: { cancellation.isCancelled })
        guard FileManager.default.fileExists(atPath: output) else { throw ExternalModelError.invalidOutput("it wrote no file '\(output)'") }
        let arrays: [String: HDF5Array]
        do {
            let file = try HDF5File.open(output)
            let root = try file.root()
            var read: [String: HDF5Array] = [:]
            for path in try root.datasetPaths() { read[path] = try root.read(path) }
            try file.close()
            arrays = read
        } catch {
            throw ExternalModelError.invalidOutput("its output is not a readable HDF5 file (\(error))")
        }
        return (response, arrays)
    }

    struct Outputs {
        var arrays: [String: Tensor] = [:]
        var nondeterministic: [String] = []
        var device = ""

        func callAsFunction(_ name: String) throws -> Tensor {
            guard let tensor = arrays[name] else { throw ExternalModelError.invalidOutput("'\(name)' is missing") }
            return tensor
        }
    }

    /// `infer` over `rows` of `split`; `widths` gives each requested array's exact width (nil: any width > 0).
    func infer(split: String, rows: [Int], weights: Input, outputs: [String: Int?], extra: [String: JSONValue] = [:]) throws -> Outputs {
        var fields = extra
        fields["data"] = try data()
        fields["split"] = .string(split)
        fields["rows"] = .indices(rows)
        fields["weights"] = try self.weights(weights)
        fields["outputs"] = .array(outputs.keys.filter { !["mc_dropout", "weight_noise", "head/weight", "head/bias"].contains($0) }.sorted()
            .map { .string($0) } + (outputs["head/weight"] != nil ? ["head"] : []))
        if fields["mc_dropout"] == nil { fields["mc_dropout"] = .null }
        if fields["weight_noise"] == nil { fields["weight_noise"] = .null }
        let (response, arrays) = try request("infer", fields)
        if !rows.isEmpty {
            guard let echoed = arrays["rows"], let values = echoed.values(as: Int64.self), values.map({ Int($0) }) == rows else {
                throw ExternalModelError.invalidOutput("'/rows' is missing or does not list the \(rows.count) rows asked for, in their order")
            }
        }
        var result = Outputs(nondeterministic: response.strings("nondeterministic"), device: response.string("device") ?? "")
        for (name, width) in outputs {
            let expectedRows = name == "head/weight" || name == "head/bias" ? nil : rows.count
            result.arrays[name] = try Self.floats(arrays, name, rows: expectedRows, width: width)
        }
        return result
    }

    /// A float32 array of `[rows, width]` (head arrays: any rows), every value finite.
    static func floats(_ arrays: [String: HDF5Array], _ name: String, rows: Int?, width: Int?) throws -> Tensor {
        guard let array = arrays[name] else { throw ExternalModelError.invalidOutput("'\(name)' is missing") }
        guard let values = array.values(as: Float.self) else {
            throw ExternalModelError.invalidOutput("'\(name)' is \(array.elementType), not float32")
        }
        let shape = array.shape.count == 1 ? [array.shape[0], 1] : array.shape
        guard shape.count == 2 else { throw ExternalModelError.invalidOutput("'\(name)' has shape \(array.shape), not [rows, width]") }
        if let rows, shape[0] != rows {
            throw ExternalModelError.invalidOutput("'\(name)' has \(shape[0]) rows for the \(rows) asked for (shape \(array.shape))")
        }
        if let width, shape[1] != width {
            throw ExternalModelError.invalidOutput("'\(name)' has shape \(array.shape), expected [\(rows.map(String.init) ?? "n"), \(width)]")
        }
        if width == nil, shape[1] == 0, rows != 0 { throw ExternalModelError.invalidOutput("'\(name)' has no columns") }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw ExternalModelError.invalidOutput("'\(name)' holds a non-finite value (\(values[bad])) at row \(bad / max(1, shape[1]))")
        }
        return Tensor(shape: shape, scalars: values)
    }
}
