import DataCatalog
import Fingerprints

/// A JSON Schema (draft-07) of the workflow file, generated from the same
/// tables the validator uses, for editors with yaml-language-server. The
/// committed copy is `workflows/workflow.schema.json`; a test keeps the two
/// equal. The validator checks more than a schema can (files, budgets, cross-field rules).
public enum WorkflowSchema {
    public static var json: String { pretty(document) }

    static var document: JSON {
        .object([
            ("$schema", .string("http://json-schema.org/draft-07/schema#")),
            ("title", .string("alflow workflow")),
            ("type", .string("object")),
            ("additionalProperties", .bool(false)),
            ("required", .array(["name", "seeds", "dataset", "model", "loop", "strategies"].map(JSON.string))),
            ("properties", .object([
                ("name", .object([("type", .string("string")), ("pattern", .string("^[A-Za-z0-9._-]+$"))])),
                ("description", .object([("type", .string("string"))])),
                ("seeds", .object([("type", .string("array")), ("minItems", .int(1)), ("uniqueItems", .bool(true)),
                                   ("items", .object([("type", .string("integer")), ("minimum", .int(0))]))])),
                ("dataset", dataset),
                ("model", model),
                ("train", train),
                ("loop", loop),
                ("strategies", strategies),
                ("evaluate", .object([("type", .string("array")), ("minItems", .int(1)),
                                      ("items", .object([("enum", .array(Metric.allCases.map { .string($0.rawValue) }))]))])),
                ("report", object([("baseline", .object([("type", .string("string"))])),
                                   ("targets", .object([("type", .string("array")), ("items", .object([("type", .string("number"))]))]))])),
                ("resources", resources),
            ])),
        ])
    }

    /// Per stage kind (and `default`): what a cluster job asks for.
    static var resources: JSON {
        let amount = JSON.object([("type", .array([.string("string"), .string("integer")]))])
        let request = object([("cpus", positiveInteger), ("memory", amount),
                              ("gpus", .object([("type", .string("integer")), ("minimum", .int(0))])), ("time", amount)])
        return object(ResourcesSpec.kinds.map { ($0, request) })
    }

    static func object(_ properties: [(String, JSON)], required: [String] = []) -> JSON {
        var fields: [(String, JSON)] = [("type", .string("object")), ("additionalProperties", .bool(false))]
        if !required.isEmpty { fields.append(("required", .array(required.map(JSON.string)))) }
        fields.append(("properties", .object(properties)))
        return .object(fields)
    }

    static let path = JSON.object([("type", .string("string"))])
    static func choice(_ values: [String]) -> JSON { .object([("enum", .array(values.map(JSON.string)))]) }
    static let positiveInteger = JSON.object([("type", .string("integer")), ("minimum", .int(1))])
    static let task = choice(["classification", "regression"])

    static var dataset: JSON {
        object([
            ("builtin", choice(KnownDataset.all.map(\.name))),
            ("idx", object([("train_images", path), ("train_labels", path), ("test_images", path), ("test_labels", path)],
                           required: ["train_images", "train_labels"])),
            ("csv", object([("path", path), ("target", path), ("task", task),
                            ("drop", .object([("type", .string("array")), ("items", path)])),
                            ("missing_values", .object([("type", .string("array")), ("items", path)])),
                            ("missing_columns", choice(["drop", "error"]))], required: ["path", "target", "task"])),
            ("npy", object([("features", path), ("targets", path), ("task", task), ("images", .object([("type", .string("boolean"))]))],
                           required: ["features", "targets"])),
            ("hdf5", object([("path", path), ("features", path), ("targets", path), ("task", task),
                             ("images", .object([("type", .string("boolean"))]))], required: ["path", "features", "targets"])),
            ("synthetic", object([("kind", choice(["ibal", "blobs"])),
                                  ("sizes", .object([("type", .string("array")), ("minItems", .int(2)), ("items", positiveInteger)])),
                                  ("centers", .object([("type", .string("array")), ("items", .object([("type", .string("array")),
                                                                                                        ("items", .object([("type", .string("number"))]))]))])),
                                  ("spread", .object([("type", .string("number")), ("exclusiveMinimum", .int(0))])),
                                  ("seed", .object([("type", .string("integer")), ("minimum", .int(0))])),
                                  ("dimensions", .object([("type", .string("integer")), ("minimum", .int(1))])),
                                  ("test", .object([("type", .string("integer")), ("minimum", .int(1))]))])),
            ("test_fraction", .object([("type", .string("number")), ("exclusiveMinimum", .int(0)), ("exclusiveMaximum", .int(1))])),
            ("split", choice(["random", "ordered"])),
            ("split_seed", .object([("type", .string("integer")), ("minimum", .int(0))])),
            ("normalize", choice(["standardize", "global", "scale", "none"])),
            ("standardize_target", .object([("type", .string("boolean"))])),
        ])
    }

    static var model: JSON {
        let dropout = JSON.object([("type", .string("number")), ("minimum", .int(0)), ("exclusiveMaximum", .int(1))])
        return .object([
            ("type", .string("object")), ("additionalProperties", .bool(false)), ("minProperties", .int(1)), ("maxProperties", .int(1)),
            ("properties", .object([
                ("mlp", object([("hidden", .object([("type", .string("array")), ("items", positiveInteger)])), ("dropout", dropout)])),
                ("smallnet", object([("dropout", dropout)])),
                ("regression_mlp", object([("dropout", dropout)])),
                ("linear", object([])),
                ("external", object([
                    ("command", .object([("type", .string("array")), ("minItems", .int(1)), ("items", .object([("type", .string("string"))]))])),
                    ("sources", .object([("type", .string("array")), ("items", .object([("type", .string("string"))]))])),
                    ("device", choice(["auto", "cpu", "cuda"])), ("environment", choice(["strict", "versions", "none"])),
                    ("timeout", .object([("type", .array([.string("number"), .string("string")]))])),
                    ("worker", choice(["persistent", "per_stage"])),
                ], required: ["command"])),
            ])),
        ])
    }

    static var train: JSON {
        let positive = JSON.object([("type", .string("number")), ("exclusiveMinimum", .int(0))])
        let nonNegative = JSON.object([("type", .string("number")), ("minimum", .int(0))])
        return object([
            ("epochs", positiveInteger), ("batch_size", positiveInteger), ("optimizer", choice(["adam", "sgd"])),
            ("learning_rate", positive), ("momentum", .object([("type", .string("number")), ("minimum", .int(0)), ("exclusiveMaximum", .int(1))])),
            ("weight_decay", nonNegative), ("milestones", .object([("type", .string("array")), ("items", positiveInteger)])),
            ("gamma", positive), ("restart", choice(["scratch", "warm"])), ("class_balanced", choice(["auto", "never"])),
        ])
    }

    static var loop: JSON {
        object([("initial", positiveInteger), ("query", positiveInteger), ("cycles", positiveInteger),
                ("candidates", .object([("type", .array([.string("integer"), .string("null")])), ("minimum", .int(1))])),
                ("cover_classes", .object([("type", .string("boolean"))]))],
               required: ["initial", "query", "cycles"])
    }

    static func parameters(_ kind: StrategyKind) -> JSON {
        let properties: [(String, JSON)] = kind.parameters.map { parameter in
            let schema: JSON
            switch parameter.kind {
            case .int(let range):
                schema = .object([("type", .string("integer")), ("minimum", .int(range.lowerBound)), ("maximum", .int(range.upperBound))])
            case .double(let above, let atLeast, let below):
                var fields: [(String, JSON)] = [("type", .string("number"))]
                if let above { fields.append(("exclusiveMinimum", .number(above))) }
                if let atLeast { fields.append(("minimum", .number(atLeast))) }
                if let below { fields.append(("exclusiveMaximum", .number(below))) }
                schema = .object(fields)
            case .choice(let values):
                schema = choice(values)
            case .doubleOrAuto:
                schema = .object([("anyOf", .array([.object([("type", .string("number")), ("exclusiveMinimum", .int(0))]), choice(["auto"])]))])
            }
            return (parameter.name, .object([("description", .string(parameter.help))] + schemaFields(schema)))
        }
        return .object([("description", .string(kind.summary)), ("type", .array([.string("object"), .string("null")])),
                        ("additionalProperties", .bool(false)), ("properties", .object(properties))])
    }

    static func schemaFields(_ schema: JSON) -> [(String, JSON)] {
        if case .object(let fields) = schema { return fields }
        return []
    }

    static var strategies: JSON {
        let kinds = StrategyKind.allCases
        let variant = JSON.object([
            ("type", .string("object")), ("minProperties", .int(1)), ("maxProperties", .int(1)), ("additionalProperties", .bool(false)),
            ("properties", .object(kinds.map { ($0.rawValue, parameters($0)) })),
        ])
        return .object([
            ("type", .string("object")), ("minProperties", .int(1)),
            ("properties", .object(kinds.map { ($0.rawValue, parameters($0)) })),
            ("additionalProperties", variant),
        ])
    }

    // MARK: A minimal ordered JSON writer

    indirect enum JSON {
        case string(String), int(Int), number(Double), bool(Bool), array([JSON]), object([(String, JSON)])
    }

    static func pretty(_ value: JSON, indent: String = "") -> String {
        let inner = indent + "  "
        switch value {
        case .string(let s): return CanonicalValue.string(s).json
        case .int(let i): return String(i)
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : "\(d)"
        case .bool(let b): return b ? "true" : "false"
        case .array(let items):
            if items.allSatisfy({ if case .string = $0 { return true } else { return false } }) {
                return "[" + items.map { pretty($0) }.joined(separator: ", ") + "]"
            }
            return "[\n" + items.map { inner + pretty($0, indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let fields):
            if fields.isEmpty { return "{}" }
            return "{\n" + fields.map { inner + CanonicalValue.string($0.0).json + ": " + pretty($0.1, indent: inner) }
                .joined(separator: ",\n") + "\n" + indent + "}"
        }
    }
}
