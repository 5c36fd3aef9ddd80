import Foundation

/// A JSON value of a request (requests are built, never decoded).
public indirect enum JSONValue: Sendable, Encodable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case string(String), integer(Int64), unsigned(UInt64), number(Double), bool(Bool), null
    case array([JSONValue]), object([String: JSONValue])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .integer(Int64(value)) }

    public static func indices(_ values: [Int]) -> JSONValue { .array(values.map { .integer(Int64($0)) }) }
    public static func numbers(_ values: [Double]) -> JSONValue { .array(values.map { .number($0) }) }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .unsigned(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .null: try container.encodeNil()
        case .array(let values): try container.encode(values)
        case .object(let fields): try container.encode(fields)
        }
    }
}

/// A decoded response line: `{"id": n, "ok": true, …}`.
public struct ExternalResponse: @unchecked Sendable {
    /// `@unchecked`: JSONSerialization's value tree, never mutated after decoding.
    public let fields: [String: Any]

    init(line: String, expectedID: Int) throws {
        guard let data = line.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data),
              let fields = object as? [String: Any] else {
            throw ExternalModelError.badResponse("a response line is not a JSON object: \(line.prefix(200))")
        }
        guard let id = fields["id"] as? Int, id == expectedID else {
            throw ExternalModelError.badResponse("a response answers id \(fields["id"].map { "\($0)" } ?? "none"), not request \(expectedID)")
        }
        guard let ok = fields["ok"] as? Bool else { throw ExternalModelError.badResponse("a response has no boolean 'ok'") }
        if !ok { throw ExternalModelError.failed((fields["error"] as? String) ?? "no message") }
        self.fields = fields
    }

    public func string(_ name: String) -> String? { fields[name] as? String }
    public func int(_ name: String) -> Int? { fields[name] as? Int }
    public func strings(_ name: String) -> [String] { (fields[name] as? [Any])?.compactMap { $0 as? String } ?? [] }
    public func numbers(_ name: String) -> [Double]? {
        guard let values = fields[name] as? [Any] else { return nil }
        let numbers = values.compactMap { ($0 as? NSNumber)?.doubleValue }
        return numbers.count == values.count ? numbers : nil
    }
    public func object(_ name: String) -> [String: Any]? { fields[name] as? [String: Any] }
}

/// What `describe` says about the model and its environment.
public struct ModelDescription: Sendable, Equatable {
    public let name: String
    public let tasks: Set<String>
    public let embeddingDimension: Int?
    public let supports: Set<String>
    /// Probe values by name (`python`, `torch`, `cuda`, `cudnn`, `device`, `helper`, `cpu_threads`, `device_name`); "none" where absent.
    public let environment: [String: String]

    public static let environmentNames = ["python", "torch", "cuda", "cudnn", "device", "helper", "cpu_threads", "device_name"]

    init(_ response: ExternalResponse) throws {
        guard let model = response.object("model") else { throw ExternalModelError.badResponse("'describe' gave no 'model' object") }
        name = model["name"] as? String ?? "model"
        tasks = Set((model["tasks"] as? [Any])?.compactMap { $0 as? String } ?? ["classification"])
        embeddingDimension = model["embedding_dim"] as? Int
        supports = Set((model["supports"] as? [Any])?.compactMap { $0 as? String } ?? [])
        let probe = response.object("environment") ?? [:]
        var environment: [String: String] = [:]
        for name in Self.environmentNames {
            environment[name] = probe[name].flatMap { $0 is NSNull ? nil : "\($0)" } ?? "none"
        }
        self.environment = environment
    }

    public func supports(_ capability: String) -> Bool { supports.contains(capability) }

    /// A `describe` answer as a worker wrote it (the store caches these lines).
    public init(line: String) throws {
        try self.init(try ExternalResponse(line: line, expectedID: Self.lineID(line)))
    }

    private static func lineID(_ line: String) -> Int {
        guard let data = line.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return -1 }
        return object["id"] as? Int ?? -1
    }
}
