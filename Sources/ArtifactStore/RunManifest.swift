import Fingerprints
import Foundation

/// The record of one run configuration — a workflow file with its
/// overrides, identified by the keys of its plan — in
/// `runs/<workflow>/<configuration>/manifest.json`: which stage has which
/// key, and when the configuration was first and last run. `gc` keeps the
/// objects of every recorded run unless told otherwise, so a variant run
/// (`--set …`) never makes the next `gc` drop the original.
public struct RunManifest: Codable, Equatable, Sendable {
    public struct Stage: Codable, Equatable, Sendable {
        public var id: String
        public var kind: String
        public var key: String

        public init(id: String, kind: String, key: String) {
            self.id = id
            self.kind = kind
            self.key = key
        }
    }

    public var workflow: String
    public var file: String
    public var overrides: [String]
    public var created: String
    /// Seconds since 1970 of the latest run of this configuration (`gc --older-than`).
    public var lastUsed: Int64
    public var stages: [Stage]

    public init(workflow: String, file: String, overrides: [String] = [], created: String, lastUsed: Int64 = Int64(time(nil)),
                stages: [Stage]) {
        self.workflow = workflow
        self.file = file
        self.overrides = overrides
        self.created = created
        self.lastUsed = lastUsed
        self.stages = stages
    }

    /// The configuration's identity: a digest of its stage keys in plan order.
    public var configuration: String {
        String(Digest.sha256(.list(stages.map { .string($0.key) })).prefix(16))
    }

    enum CodingKeys: String, CodingKey { case workflow, file, overrides, created, lastUsed = "last_used", stages }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        workflow = try container.decode(String.self, forKey: .workflow)
        file = try container.decode(String.self, forKey: .file)
        // Manifests of stores written before run configurations had neither field.
        overrides = try container.decodeIfPresent([String].self, forKey: .overrides) ?? []
        created = try container.decode(String.self, forKey: .created)
        lastUsed = try container.decodeIfPresent(Int64.self, forKey: .lastUsed) ?? 0
        stages = try container.decode([Stage].self, forKey: .stages)
    }
}

/// A recorded run: its manifest, its folder, and whether a process is running it now.
public struct RecordedRun: Sendable {
    public let manifest: RunManifest
    public let folder: String
    public let active: Bool
}

extension ArtifactStore {
    /// The folder of a run configuration.
    public func runFolder(_ manifest: RunManifest) -> String {
        layout.runFolder(manifest.workflow) + "/" + manifest.configuration
    }

    /// Records a run (atomically). A configuration run before keeps its
    /// creation time; its last use becomes now.
    public func writeManifest(_ manifest: RunManifest) throws {
        let folder = runFolder(manifest)
        try Durability.makeDirectory(layout.runFolder(manifest.workflow))
        try Durability.makeDirectory(folder)
        var manifest = manifest
        if let previous = Self.readManifest(folder + "/manifest.json") { manifest.created = previous.created }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(manifest) } catch {
            throw StoreError.writeFailed(path: folder, reason: "cannot encode the manifest: \(error)")
        }
        try Durability.writeAtomically(data, to: folder + "/manifest.json", temporaryFolder: layout.temporary)
    }

    /// Every recorded run, oldest folder name first. Manifests of the
    /// earlier layout (`runs/<workflow>/manifest.json`) are runs too.
    public func recordedRuns() -> [RecordedRun] {
        let manager = FileManager.default
        var runs: [RecordedRun] = []
        func add(_ folder: String) {
            guard let manifest = Self.readManifest(folder + "/manifest.json") else { return }
            runs.append(RecordedRun(manifest: manifest, folder: folder, active: Self.isRunning(folder)))
        }
        for name in ((try? manager.contentsOfDirectory(atPath: layout.runs)) ?? []).sorted() {
            let workflowFolder = layout.runs + "/" + name
            add(workflowFolder)
            for configuration in ((try? manager.contentsOfDirectory(atPath: workflowFolder)) ?? []).sorted() {
                add(workflowFolder + "/" + configuration)
            }
        }
        return runs
    }

    /// Forgets a run (its objects stay until `gc`); a running run is kept.
    public func removeRun(_ run: RecordedRun) {
        guard !Self.isRunning(run.folder) else { return }
        unlink(run.folder + "/manifest.json")
        unlink(run.folder + "/run.lock")
        rmdir(run.folder)
    }

    /// A shared lock held while a run is in progress; `gc` treats the
    /// manifests of active runs as roots.
    public func markRunning(_ manifest: RunManifest) throws -> FileLock {
        let folder = runFolder(manifest)
        try Durability.makeDirectory(layout.runFolder(manifest.workflow))
        try Durability.makeDirectory(folder)
        return try FileLock.acquire(folder + "/run.lock", .shared)
    }

    static func readManifest(_ path: String) -> RunManifest? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(RunManifest.self, from: data)
    }

    /// True when a process holds the run's lock (checked without creating it).
    static func isRunning(_ folder: String) -> Bool {
        let path = folder + "/run.lock"
        guard FileManager.default.fileExists(atPath: path) else { return false }
        guard let probe = try? FileLock.attempt(path) else { return true }
        probe.release()
        return false
    }
}
