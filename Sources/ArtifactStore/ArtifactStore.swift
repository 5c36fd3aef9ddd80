import Foundation
import HDF5

/// The content-addressed store of stage outputs.
///
/// A publish writes the object to `tmp/`, syncs it, links it into
/// `objects/` (never replacing an existing object) and syncs the folder, so
/// a reader never sees a partial object. Every read verifies the object —
/// it opens, its format is known, its key matches, its payload digest
/// matches — and moves a damaged one to `quarantine/` as if it were missing.
/// Thread-safe; an object is verified once per process, and decoded data
/// is kept in the process-wide `ObjectCache` (bounded by bytes), so that
/// many stages reading one large input verify and decode it once.
///
/// A store opened with `openReadOnly` never writes: no folder, marker,
/// quarantine move, memo or manifest (read-only commands use it).
public final class ArtifactStore: Sendable {
    public enum Lookup: Sendable {
        case hit(Artifact)
        case missing
        /// The object was damaged; it has been moved to `quarantine/`
        /// (left in place when the store is read-only).
        case damaged(reason: String)
    }

    public let layout: StoreLayout
    public let alflowVersion: String
    /// True for a store opened by a command that must not change it.
    public let isReadOnly: Bool
    private let memory: ObjectCache
    /// This store's entries in the shared cache start with it (a fresh
    /// store object verifies and decodes afresh, as a new process would).
    private let cachePrefix = UUID().uuidString + ":"
    /// Keys verified by this process (objects never change once published).
    private let verified = VerifiedKeys()

    /// Opens (creating if needed) the store at `root`; decoded data is kept
    /// in `cache` (the process's own unless a test passes another).
    public init(root: String, alflowVersion: String, cache: ObjectCache = .shared) throws {
        memory = cache
        layout = StoreLayout(root: root)
        self.alflowVersion = alflowVersion
        isReadOnly = false
        for folder in [layout.root, layout.objects, layout.temporary, layout.partial, layout.quarantine,
                       layout.locks, layout.runs, layout.reports, layout.cache] {
            try Durability.makeDirectory(folder)
        }
        try checkMarker()
    }

    /// Opens an existing store without writing anything to it; throws
    /// `noStore` if `root` holds none.
    public static func openReadOnly(root: String, alflowVersion: String) throws -> ArtifactStore {
        try ArtifactStore(readOnlyRoot: root, alflowVersion: alflowVersion)
    }

    private init(readOnlyRoot root: String, alflowVersion: String) throws {
        memory = .shared
        layout = StoreLayout(root: root)
        self.alflowVersion = alflowVersion
        isReadOnly = true
        guard let text = try? String(contentsOfFile: layout.marker, encoding: .utf8) else { throw StoreError.noStore(path: layout.root) }
        let found = Int(text.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        guard found <= StoreLayout.storeFormat else {
            throw StoreError.newerFormat(path: layout.root, found: found, supported: StoreLayout.storeFormat)
        }
    }

    /// `--store`, else `$ALFLOW_STORE`, else `./artifacts`.
    public static func defaultRoot(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        explicit ?? environment["ALFLOW_STORE"] ?? "artifacts"
    }

    private func checkMarker() throws {
        let marker = layout.marker
        if let text = try? String(contentsOfFile: marker, encoding: .utf8) {
            let found = Int(text.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
            guard found <= StoreLayout.storeFormat else {
                throw StoreError.newerFormat(path: layout.root, found: found, supported: StoreLayout.storeFormat)
            }
            return
        }
        try Durability.writeAtomically(Data("alflow-store-format \(StoreLayout.storeFormat)\n".utf8), to: marker,
                                       temporaryFolder: layout.temporary)
    }

    // MARK: Reading

    /// The verified object of `key`, or nil if it is missing or damaged —
    /// without moving anything (for read-only commands such as `report`).
    public func peek(_ key: String) -> Artifact? {
        if case .artifact(let cached)? = memory.get(cachePrefix + key) { return cached }
        guard let artifact = try? ArtifactFile.read(layout.object(key), expectedKey: key) else { return nil }
        remember(artifact)
        return artifact
    }

    /// The verified object of `key`. A damaged object is quarantined and
    /// reported as such; an object of a newer format throws.
    public func read(_ key: String) throws -> Lookup {
        if case .artifact(let cached)? = memory.get(cachePrefix + key) { return .hit(cached) }
        let path = layout.object(key)
        guard FileManager.default.fileExists(atPath: path) else { return .missing }
        do {
            let artifact = try ArtifactFile.read(path, expectedKey: key)
            remember(artifact)
            return .hit(artifact)
        } catch ArtifactFile.Problem.newerFormat(let found) {
            throw StoreError.newerFormat(path: path, found: found, supported: StoreLayout.objectFormat)
        } catch ArtifactFile.Problem.damaged(let reason) {
            if !isReadOnly { try quarantine(path, key: key) }
            return .damaged(reason: reason)
        }
    }

    /// The object of `key` opened without reading its arrays (`StoredObject`
    /// reads rows on demand), verified fully the first time this process
    /// opens it. A damaged object is quarantined and reported as such.
    public func open(_ key: String) throws -> OpenLookup {
        let path = layout.object(key)
        guard FileManager.default.fileExists(atPath: path) else { return .missing }
        do {
            let object = try StoredObject.open(path, expectedKey: key, verify: !verified.contains(key), cache: memory, cacheKey: cachePrefix + key)
            verified.insert(key)
            return .hit(object)
        } catch ArtifactFile.Problem.newerFormat(let found) {
            throw StoreError.newerFormat(path: path, found: found, supported: StoreLayout.objectFormat)
        } catch ArtifactFile.Problem.damaged(let reason) {
            if !isReadOnly { try quarantine(path, key: key) }
            return .damaged(reason: reason)
        }
    }

    public enum OpenLookup: Sendable {
        case hit(StoredObject)
        case missing
        case damaged(reason: String)
    }

    /// `open` for its verdict only: whether the object of `key` is stored and sound.
    public func verify(_ key: String) throws -> Lookup {
        switch try open(key) {
        case .hit(let object): return .hit(Artifact(header: object.header, content: ArtifactContent(attributes: object.attributes)))
        case .missing: return .missing
        case .damaged(let reason): return .damaged(reason: reason)
        }
    }

    /// The state of `key`'s object, checked fully but without side effects
    /// (nothing is quarantined): for `status` and `explain`.
    public enum State: Sendable {
        case cached(ArtifactHeader)
        case missing
        /// Not stored, but an interrupted computation left a checkpoint.
        case partial
        case corrupt(String)
    }

    public func inspect(_ key: String) -> State {
        let path = layout.object(key)
        guard FileManager.default.fileExists(atPath: path) else { return hasCheckpoint(key: key) ? .partial : .missing }
        if case .artifact(let cached)? = memory.get(cachePrefix + key) { return .cached(cached.header) }
        do {
            return .cached(try StoredObject.open(path, expectedKey: key, verify: !verified.contains(key), cache: memory, cacheKey: cachePrefix + key).header)
        } catch ArtifactFile.Problem.damaged(let reason) {
            return .corrupt(reason)
        } catch ArtifactFile.Problem.newerFormat(let found) {
            return .corrupt("written by a newer alflow (object format \(found))")
        } catch {
            return .corrupt("\(error)")
        }
    }

    /// True if an object file exists for `key` (not verified).
    public func contains(_ key: String) -> Bool {
        FileManager.default.fileExists(atPath: layout.object(key))
    }

    /// The header of the object of `key`, if it exists and opens (not digest-verified).
    public func header(_ key: String) -> ArtifactHeader? {
        if case .artifact(let cached)? = memory.get(cachePrefix + key) { return cached.header }
        guard let root = try? HDF5File.open(layout.object(key)).root() else { return nil }
        return try? ArtifactFile.readHeader(root)
    }

    func quarantine(_ path: String, key: String) throws {
        memory.remove(prefix: cachePrefix + key)
        verified.remove(key)
        let stamp = Int(Date().timeIntervalSince1970)
        let target = layout.quarantine + "/\(key)-\(stamp)-\(getpid()).h5"
        if rename(path, target) != 0 && errno != ENOENT {
            throw StoreError.notWritable(path: path, reason: "cannot move the damaged object aside: \(StoreError.systemMessage())")
        }
    }

    // MARK: Publishing

    /// Publishes `content` under `header.key` (the digest is filled in).
    /// If an object of that key already exists it is left untouched.
    @discardableResult
    public func publish(_ header: ArtifactHeader, _ content: ArtifactContent) throws -> Artifact {
        var header = header
        let key = header.key
        try writingTemporary(key) { temporary in
            if content.streamed.isEmpty && ObjectCache.bytes(content) < ArtifactFile.inMemoryLimit {
                header.payloadDigest = content.payloadDigest
                try ArtifactFile.write(header, content, to: temporary)
            } else {
                // Written to the file as it goes: never the whole object twice in memory.
                header.payloadDigest = try ArtifactFile.writeStreaming(header, content, to: temporary)
            }
            try Durability.sync(temporary)
            try Durability.makeDirectory(layout.objectFolder(key))
            _ = try Durability.linkNoReplace(temporary, layout.object(key))
            try Durability.sync(layout.objectFolder(key))
        }
        let artifact = Artifact(header: header, content: content)
        verified.insert(key)
        if content.streamed.isEmpty { remember(artifact, cold: true) }
        return artifact
    }

    /// Keeps `artifact` in the process's cache; `cold` (just published, not yet read) lets it leave first.
    private func remember(_ artifact: Artifact, cold: Bool = false) {
        verified.insert(artifact.key)
        memory.put(cachePrefix + artifact.key, .artifact(artifact), bytes: ObjectCache.bytes(artifact), cold: cold)
    }

    /// Runs `body` with a fresh path under `tmp/` for `key`; the temporary
    /// file is always removed afterwards (a published object is a hard link,
    /// a checkpoint was renamed away), and HDF5 failures become store errors.
    func writingTemporary(_ key: String, _ body: (String) throws -> Void) throws {
        let temporary = layout.temporary + "/\(key).\(getpid()).\(UUID().uuidString).h5"
        defer { unlink(temporary) }
        do {
            try body(temporary)
        } catch let error as HDF5Error {
            throw StoreError.writeFailed(path: temporary, reason: error.message.isEmpty ? error.operation : error.message)
        }
    }

    // MARK: Locks

    /// The per-key lock: waits until no other process or job holds it.
    public func lock(_ key: String) throws -> FileLock {
        try FileLock.acquire(layout.lock(key))
    }

    /// The per-key lock if it is free now, else nil.
    public func tryLock(_ key: String) throws -> FileLock? {
        try FileLock.attempt(layout.lock(key))
    }

    /// Removes `tmp/` files that no live process is writing (every writer
    /// holds the key's lock while it writes).
    public func cleanTemporaryFiles() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: layout.temporary) else { return }
        for name in names {
            let key = String(name.prefix(64))
            if StoreLayout.isKey(key) {
                guard let held = try? tryLock(key) else { continue }
                unlink(layout.temporary + "/" + name)
                held.release()
            } else if name.hasSuffix(".tmp") {
                let path = layout.temporary + "/" + name
                if let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                   Date().timeIntervalSince(modified) > 3600 {
                    unlink(path)
                }
            }
        }
    }
}

/// The keys whose objects this process has verified.
/// `@unchecked`: every access to `keys` holds `lock`.
final class VerifiedKeys: @unchecked Sendable {
    private var keys: Set<String> = []
    private let lock = NSLock()

    func contains(_ key: String) -> Bool { lock.withLock { keys.contains(key) } }
    func insert(_ key: String) { lock.withLock { _ = keys.insert(key) } }
    func remove(_ key: String) { lock.withLock { _ = keys.remove(key) } }
}
