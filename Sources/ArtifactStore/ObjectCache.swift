import Foundation
import HDF5

/// Decoded store data held in memory for the whole process, bounded by
/// bytes (not per object kind) and shared by every store and every
/// concurrent stage: whole objects, whole arrays and row blocks of large
/// arrays. The least recently used entries leave first once the total
/// passes the budget; an entry larger than the budget is never kept.
///
/// An object a stage has just published enters at the cold end (`put(…,
/// cold: true)`): it leaves before anything read since, unless a reader
/// asks for it first, which warms it. Otherwise the stream of fresh models,
/// scores and selections of a long run would push out the row blocks of the
/// data set that every stage reads again (mnist-paper's test images were
/// evicted and inflated again in every cycle, 15 % more CPU for the run).
/// `@unchecked`: every access to the mutable fields holds `lock`.
public final class ObjectCache: @unchecked Sendable {
    /// What an entry holds.
    enum Value: Sendable {
        case artifact(Artifact)
        case array(HDF5Array)
    }

    /// The process's cache (`--memory` sets its budget).
    public static let shared = ObjectCache(budget: defaultBudget)
    /// 256 MiB: the whole MNIST load object fits, with room for models.
    public static let defaultBudget = 256 << 20

    private var entries: [String: (value: Value, bytes: Int, used: UInt64)] = [:]
    private var total = 0
    /// Use stamps: warm entries from `clock`, cold ones from `coldClock`,
    /// which stays below every warm stamp, so cold entries leave first, oldest first.
    private var clock: UInt64 = 1 << 62
    private var coldClock: UInt64 = 0
    private var limit: Int
    private let lock = NSLock()

    public init(budget: Int) { limit = max(0, budget) }

    /// The byte budget; lowering it evicts at once.
    public var budget: Int {
        get { lock.withLock { limit } }
        set {
            lock.withLock {
                limit = max(0, newValue)
                evict()
            }
        }
    }

    /// Bytes held now.
    public var bytesHeld: Int { lock.withLock { total } }

    func get(_ key: String) -> Value? {
        lock.withLock {
            guard var entry = entries[key] else { return nil }
            clock += 1
            entry.used = clock
            entries[key] = entry
            return entry.value
        }
    }

    func put(_ key: String, _ value: Value, bytes: Int, cold: Bool = false) {
        lock.withLock {
            guard bytes <= limit else { return }
            if let old = entries[key] { total -= old.bytes }
            let stamp: UInt64
            if cold {
                coldClock += 1
                stamp = coldClock
            } else {
                clock += 1
                stamp = clock
            }
            entries[key] = (value, bytes, stamp)
            total += bytes
            evict()
        }
    }

    /// Drops every entry whose key starts with `prefix` (an object's key).
    func remove(prefix: String) {
        lock.withLock {
            for key in entries.keys where key.hasPrefix(prefix) {
                if let old = entries.removeValue(forKey: key) { total -= old.bytes }
            }
        }
    }

    /// Caller holds `lock`.
    private func evict() {
        guard total > limit else { return }
        // Oldest first, in one pass.
        let order = entries.sorted { $0.value.used < $1.value.used }
        for (key, entry) in order {
            guard total > limit else { break }
            entries.removeValue(forKey: key)
            total -= entry.bytes
        }
    }

    static func bytes(_ array: HDF5Array) -> Int { array.count * array.elementType.byteWidth }
    static func bytes(_ artifact: Artifact) -> Int { bytes(artifact.content) }
    static func bytes(_ content: ArtifactContent) -> Int { content.arrays.values.reduce(0) { $0 + bytes($1) } }
}
