import Foundation
import HDF5

/// Resumable checkpoints of long stages under `partial/<key>.h5`, in the
/// object format (so they are digest-checked too), replaced atomically.
extension ArtifactStore {
    /// With `durable: false` the file is not fsynced: a checkpoint lost to a
    /// power cut only costs progress, and a damaged one fails its digest check.
    public func writeCheckpoint(key: String, kind: String, content: ArtifactContent, durable: Bool = true) throws {
        let header = ArtifactHeader(kind: kind + "-checkpoint", key: key, parameters: "{}", inputs: [],
                                    payloadDigest: content.payloadDigest, alflowVersion: alflowVersion,
                                    created: Timestamp.now(), blasCore: "", blasConfiguration: "", computeSeconds: 0)
        try writingTemporary(key) { temporary in
            try ArtifactFile.write(header, content, to: temporary)
            if durable { try Durability.sync(temporary) }
            try Durability.replace(temporary, layout.checkpoint(key))
            if durable { try Durability.sync(layout.partial) }
        }
    }

    /// The checkpoint of `key` if one exists and is intact; a damaged one is deleted.
    public func readCheckpoint(key: String) -> ArtifactContent? {
        let path = layout.checkpoint(key)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let artifact = try? ArtifactFile.read(path, expectedKey: key) else {
            unlink(path)
            return nil
        }
        return artifact.content
    }

    public func hasCheckpoint(key: String) -> Bool {
        FileManager.default.fileExists(atPath: layout.checkpoint(key)) || FileManager.default.fileExists(atPath: layout.externalCheckpoint(key))
    }

    public func removeCheckpoint(key: String) {
        unlink(layout.checkpoint(key))
        let external = layout.externalCheckpoint(key)
        if FileManager.default.fileExists(atPath: external) { try? FileManager.default.removeItem(atPath: external) }
    }
}

/// ISO-8601 timestamps (UTC, seconds), formatted with `gmtime_r` (a
/// Foundation date formatter costs more than writing a small object).
public enum Timestamp {
    public static func now() -> String {
        var seconds = time(nil)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec)
    }
}
