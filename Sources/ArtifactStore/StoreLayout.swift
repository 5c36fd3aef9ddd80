import Foundation

/// Where things live in a store (docs/architecture.md §5.1).
///
///     <root>/.alflow-store          format marker ("alflow-store-format 1")
///     <root>/objects/<2 hex>/<key>.h5
///     <root>/tmp/                   objects being written
///     <root>/partial/<key>.h5       resumable checkpoints of running stages
///     <root>/quarantine/            damaged objects, moved aside
///     <root>/locks/<key>.lock       per-key advisory locks
///     <root>/runs/<workflow>/       run manifests (and the lock of a running run)
///     <root>/reports/<workflow>/    reports
///     <root>/cache/                 memoised file digests
public struct StoreLayout: Sendable {
    /// Version of the store layout and of the object format.
    public static let storeFormat = 1
    public static let objectFormat = 1

    public let root: String

    public init(root: String) {
        self.root = (root as NSString).standardizingPath
    }

    public var marker: String { root + "/.alflow-store" }
    public var objects: String { root + "/objects" }
    public var temporary: String { root + "/tmp" }
    public var partial: String { root + "/partial" }
    public var quarantine: String { root + "/quarantine" }
    public var locks: String { root + "/locks" }
    public var runs: String { root + "/runs" }
    public var reports: String { root + "/reports" }
    public var cache: String { root + "/cache" }

    public func objectFolder(_ key: String) -> String { objects + "/" + String(key.prefix(2)) }
    public func object(_ key: String) -> String { objectFolder(key) + "/" + key + ".h5" }
    public func checkpoint(_ key: String) -> String { partial + "/" + key + ".h5" }
    /// An external model's own checkpoint folder for the stage `key`.
    public func externalCheckpoint(_ key: String) -> String { partial + "/" + key + ".external" }
    public var logs: String { root + "/logs" }
    public func lock(_ key: String) -> String { locks + "/" + key + ".lock" }
    public func runFolder(_ workflow: String) -> String { runs + "/" + Self.safeName(workflow) }
    public func reportFolder(_ workflow: String) -> String { reports + "/" + Self.safeName(workflow) }

    /// True for a 64-hex-digit key.
    public static func isKey(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// A workflow name usable as a folder name.
    public static func safeName(_ name: String) -> String {
        let allowed = name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" }
        let text = String(allowed).trimmingCharacters(in: CharacterSet(charactersIn: "."))
        return text.isEmpty ? "workflow" : text
    }
}
