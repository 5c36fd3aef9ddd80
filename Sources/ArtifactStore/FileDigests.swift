import Fingerprints
import Foundation

/// Content digests of external data files, memoised by (device, inode,
/// size, modification time) in `cache/file-digests.json`, as DVC does: an
/// unchanged file is not re-read; a changed stat means re-hashing — never a
/// spurious cache miss, since keys use the content digest, not the path.
/// `@unchecked`: the memo file is read and written only while holding `lock`.
public final class FileDigests: @unchecked Sendable {
    struct Entry: Codable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modified: Int64
        var digest: String
    }

    private let store: ArtifactStore?
    private let lock = NSLock()

    /// Without a store, nothing is memoised.
    public init(store: ArtifactStore?) {
        self.store = store
    }

    private var memoPath: String? { store.map { $0.layout.cache + "/file-digests.json" } }

    /// SHA-256 of the file's bytes.
    public func digest(of path: String) throws -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var info = stat()
        guard stat(absolute, &info) == 0 else {
            throw StoreError.readFailed(path: path, reason: StoreError.systemMessage())
        }
        let entry = Entry(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                          modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec), digest: "")
        lock.lock()
        defer { lock.unlock() }
        var memo = loadMemo()
        if let known = memo[absolute], known.device == entry.device, known.inode == entry.inode,
           known.size == entry.size, known.modified == entry.modified {
            return known.digest
        }
        let digest = try Self.hash(absolute)
        var updated = entry
        updated.digest = digest
        memo[absolute] = updated
        saveMemo(memo)
        return digest
    }

    static func hash(_ path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StoreError.readFailed(path: path, reason: "cannot open for reading")
        }
        defer { try? handle.close() }
        var digest = StreamingDigest()
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 22) ?? Data() } catch {
                throw StoreError.readFailed(path: path, reason: "\(error)")
            }
            if chunk.isEmpty { break }
            chunk.withUnsafeBytes { digest.update($0) }
        }
        return digest.finalize()
    }

    private func loadMemo() -> [String: Entry] {
        guard let path = memoPath, let data = FileManager.default.contents(atPath: path),
              let memo = try? JSONDecoder().decode([String: Entry].self, from: data) else { return [:] }
        return memo
    }

    /// Best effort: a memo that cannot be saved only costs a re-hash later.
    private func saveMemo(_ memo: [String: Entry]) {
        guard let store, !store.isReadOnly, let path = memoPath, let data = try? JSONEncoder().encode(memo) else { return }
        guard let held = try? FileLock.acquire(path + ".lock") else { return }
        defer { held.release() }
        try? Durability.writeAtomically(data, to: path, temporaryFolder: store.layout.temporary)
    }
}
