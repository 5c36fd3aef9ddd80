/// `model: {external: {…}}`: a model that runs in its own process and speaks
/// protocol v1 (docs/external-models.md) — a PyTorch module on a CPU or GPU,
/// or anything else that answers its requests.
public struct ExternalModelSpec: Sendable, Equatable {
    /// The protocol this alflow speaks; part of every key of an external model's stages.
    public static let protocolVersion = 1

    public enum Device: String, Sendable, CaseIterable { case auto, cpu, cuda }
    /// What of the worker's environment enters the keys.
    public enum EnvironmentPolicy: String, Sendable, CaseIterable {
        /// Python, torch, CUDA and cuDNN versions, the resolved device class and its name.
        case strict
        /// The versions and the resolved device class (cpu or cuda).
        case versions
        /// Nothing: the user vouches that the environment does not change results.
        case none
    }
    public enum WorkerMode: String, Sendable, CaseIterable {
        /// One worker per job slot for the whole run (imports paid once).
        case persistent
        /// A fresh worker for every stage.
        case perStage = "per_stage"
    }

    /// The command as written; relative paths resolve against `directory`.
    public var command: Located<[String]>
    /// Files and folders whose content is part of the key.
    public var sources: Located<[String]>
    public var device: Located<Device>
    public var environment: Located<EnvironmentPolicy>
    /// Seconds one request may take (never part of a key).
    public var timeout: Located<Double>
    /// Never part of a key.
    public var worker: Located<WorkerMode>
    /// The workflow file's folder (absolute).
    public var directory: String
    /// What the keys hold, resolved before planning from the files' content
    /// and the worker's `describe`; nil until then (placeholder plans).
    public var identity: ExternalModelIdentity?

    public init(command: Located<[String]>, sources: Located<[String]>, device: Located<Device>, environment: Located<EnvironmentPolicy>,
                timeout: Located<Double>, worker: Located<WorkerMode>, directory: String, identity: ExternalModelIdentity? = nil) {
        self.command = command
        self.sources = sources
        self.device = device
        self.environment = environment
        self.timeout = timeout
        self.worker = worker
        self.directory = directory
        self.identity = identity
    }

    /// An absolute path for a path written in the workflow.
    public func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : directory + "/" + path
    }
}

/// An external model's part of a key: the protocol version, the command with
/// every file replaced by its content digest, the content digest of every
/// source file, and the environment probe the workflow's policy keeps.
public struct ExternalModelIdentity: Sendable, Equatable, Encodable {
    public struct SourceFile: Sendable, Equatable, Encodable {
        public let path: String
        public let digest: String

        public init(path: String, digest: String) {
            self.path = path
            self.digest = digest
        }
    }

    public struct EnvironmentEntry: Sendable, Equatable, Encodable {
        public let name: String
        public let value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public let protocolVersion: Int
    public let command: [String]
    public let sources: [SourceFile]
    public let environment: [EnvironmentEntry]

    public init(protocolVersion: Int = ExternalModelSpec.protocolVersion, command: [String], sources: [SourceFile],
                environment: [EnvironmentEntry]) {
        self.protocolVersion = protocolVersion
        self.command = command
        self.sources = sources.sorted { $0.path < $1.path }
        self.environment = environment.sorted { $0.name < $1.name }
    }

    enum CodingKeys: String, CodingKey { case protocolVersion = "protocol", command, sources, environment }
}

/// A model's part of a stage key is what determines its results: for an
/// external model, its identity alone (where it is written, its timeout and
/// its worker mode change nothing).
extension ExternalModelSpec: Encodable {
    enum CodingKeys: String, CodingKey { case identity }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if let identity {
            try container.encode(identity, forKey: .identity)
        } else {
            try container.encode("unresolved", forKey: .identity)
        }
    }
}
