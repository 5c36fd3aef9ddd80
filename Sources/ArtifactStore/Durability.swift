import Foundation

/// The POSIX steps that make a publish atomic and durable.
public enum Durability {
    /// fsync a file or directory by path.
    public static func sync(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw StoreError.writeFailed(path: path, reason: StoreError.systemMessage()) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw StoreError.writeFailed(path: path, reason: StoreError.systemMessage()) }
    }

    /// Creates a folder and its parents; an existing folder is fine.
    public static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw StoreError.notWritable(path: path, reason: (error as NSError).localizedDescription)
        }
    }

    /// Publishes `source` at `target` without ever replacing an existing
    /// file: a hard link (fails if the target exists), then the source is
    /// removed. Returns false if the target already existed.
    public static func linkNoReplace(_ source: String, _ target: String) throws -> Bool {
        if link(source, target) == 0 {
            unlink(source)
            return true
        }
        let code = errno
        if code == EEXIST {
            unlink(source)
            return false
        }
        throw StoreError.writeFailed(path: target, reason: StoreError.systemMessage(code))
    }

    /// Replaces `target` by `source` atomically (for checkpoints and manifests).
    public static func replace(_ source: String, _ target: String) throws {
        guard rename(source, target) == 0 else {
            let code = errno
            unlink(source)
            throw StoreError.writeFailed(path: target, reason: StoreError.systemMessage(code))
        }
    }

    /// Writes bytes to a temporary file beside `target`, syncs, and renames it into place.
    public static func writeAtomically(_ data: Data, to target: String, temporaryFolder: String) throws {
        let temporary = temporaryFolder + "/" + UUID().uuidString + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw StoreError.writeFailed(path: target, reason: "cannot create '\(temporary)': \(StoreError.systemMessage())")
        }
        do {
            try sync(temporary)
            try replace(temporary, target)
            try sync((target as NSString).deletingLastPathComponent)
        } catch {
            unlink(temporary)
            throw error
        }
    }
}
