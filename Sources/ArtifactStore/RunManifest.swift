import Foundation

/// The record of a run of a workflow (`runs/<workflow>/manifest.json`): which
/// stage of the plan has which key. `report`, `status` and `gc` read it.
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
    public var created: String
    public var stages: [Stage]

    public init(workflow: String, file: String, created: String, stages: [Stage]) {
        self.workflow = workflow
        self.file = file
        self.created = created
        self.stages = stages
    }
}

extension ArtifactStore {
    /// Writes the manifest of a run (atomically; the latest run of a workflow wins).
    public func writeManifest(_ manifest: RunManifest) throws {
        let folder = layout.runFolder(manifest.workflow)
        try Durability.makeDirectory(folder)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(manifest) } catch {
            throw StoreError.writeFailed(path: folder, reason: "cannot encode the manifest: \(error)")
        }
        try Durability.writeAtomically(data, to: folder + "/manifest.json", temporaryFolder: layout.temporary)
    }

    /// Every recorded manifest, with whether a process is running it now.
    public func manifests() -> [(manifest: RunManifest, active: Bool)] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: layout.runs) else { return [] }
        return names.sorted().compactMap { name in
            let folder = layout.runs + "/" + name
            guard let data = FileManager.default.contents(atPath: folder + "/manifest.json"),
                  let manifest = try? JSONDecoder().decode(RunManifest.self, from: data) else { return nil }
            let probe = try? FileLock.attempt(folder + "/run.lock")
            let active = probe == nil
            probe?.release()
            return (manifest, active)
        }
    }

    /// A shared lock held while a run of `workflow` is in progress; `gc`
    /// treats the manifests of active runs as roots.
    public func markRunning(_ workflow: String) throws -> FileLock {
        let folder = layout.runFolder(workflow)
        try Durability.makeDirectory(folder)
        return try FileLock.acquire(folder + "/run.lock", .shared)
    }
}
