import ArtifactStore
import Foundation

/// Where fetched data files live in a store, by content:
///
///     <store>/data/<sha256>            a verified file, never modified
///     <store>/data/index.json          published digest → file, size, source, time
///     <store>/data/partial/<name>.part a transfer in progress (resumable)
///     <store>/data/locks/<digest>.lock one fetch of a file at a time, across processes
///
/// A file enters `data/` only after its checksum matched, by an atomic
/// rename; nothing half-written is ever read.
public struct DataShelf: Sendable {
    public struct Entry: Codable, Equatable, Sendable {
        public var dataset: String
        public var file: String
        public var sha256: String
        public var size: Int64
        public var source: String
        public var fetched: String
    }

    public let root: String

    public init(storeRoot: String) { root = (storeRoot as NSString).standardizingPath + "/data" }

    public var index: String { root + "/index.json" }
    public var partial: String { root + "/partial" }
    public var locks: String { root + "/locks" }
    public func object(_ sha256: String) -> String { root + "/" + sha256 }

    public func lockPath(_ file: DataFile) -> String {
        locks + "/" + file.digest.replacingOccurrences(of: ":", with: "-") + ".lock"
    }

    public func partialPath(_ file: DataFile) -> String {
        partial + "/" + file.digest.replacingOccurrences(of: ":", with: "-") + "-" + file.name + ".part"
    }

    /// Every fetched file, by published digest.
    public func entries() -> [String: Entry] {
        guard let data = FileManager.default.contents(atPath: index),
              let entries = try? JSONDecoder().decode([String: Entry].self, from: data) else { return [:] }
        return entries
    }

    /// The verified file for `file`, if fetched (its size is checked; its content was verified when it arrived).
    public func path(of file: DataFile) -> String? {
        guard let entry = entries()[file.digest] else { return nil }
        let path = object(entry.sha256)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              (attributes[.size] as? NSNumber)?.int64Value == entry.size else { return nil }
        return path
    }

    /// Records a verified file (under the index lock, atomically).
    func record(_ file: DataFile, entry: Entry) throws {
        let held = try FileLock.acquire(index + ".lock")
        defer { held.release() }
        var all = entries()
        all[file.digest] = entry
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(all) } catch {
            throw StoreError.writeFailed(path: index, reason: "cannot encode the data index: \(error)")
        }
        try Durability.writeAtomically(data, to: index, temporaryFolder: partial)
    }

    func prepareFolders() throws {
        for folder in [root, partial, locks] { try Durability.makeDirectory(folder) }
    }
}
