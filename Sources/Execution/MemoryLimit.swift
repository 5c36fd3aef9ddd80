import Foundation

/// `--memory LIMIT` / `ALFLOW_MEMORY`: the resident memory alflow plans
/// for. A quarter goes to the object cache; the rest, less a fixed
/// allowance for the process itself, is shared by the stages that run at
/// once, each of which states its working set before it starts.
public struct MemoryLimit: Sendable, Equatable {
    public let bytes: Int
    /// As the user wrote it, for messages (`1G`).
    public let text: String

    /// The process itself (code, BLAS buffers, thread stacks) before any stage.
    public static let processAllowance = 128 << 20

    /// Parses `1G`, `512M`, `1.5G`, `800K`, or plain bytes (binary units,
    /// case-insensitive, an optional trailing `B` or `iB`); nil if malformed or under 64 MiB.
    public init?(_ text: String) {
        var body = text.trimmingCharacters(in: .whitespaces).uppercased()
        for suffix in ["IB", "B"] where body.hasSuffix(suffix) && body.count > suffix.count {
            body.removeLast(suffix.count)
            break
        }
        let scale: Double
        switch body.last {
        case "K": scale = 1024
        case "M": scale = 1024 * 1024
        case "G": scale = 1024 * 1024 * 1024
        case "T": scale = 1024 * 1024 * 1024 * 1024
        default: scale = 1
        }
        if scale > 1 { body.removeLast() }
        guard let number = Double(body), number.isFinite, number > 0, number * scale < 1e18 else { return nil }
        let bytes = Int(number * scale)
        guard bytes >= 64 << 20 else { return nil }
        self.bytes = bytes
        self.text = text
    }

    /// The object cache's share.
    public var cacheBudget: Int { bytes / 4 }
    /// What the stages running at once may hold together.
    public var stageBudget: Int { max(0, bytes - cacheBudget - Self.processAllowance) }
}

/// Which ready stages may start under a memory limit: a stage starts if its
/// working set fits in what the running ones leave, or if nothing runs
/// (so a stage larger than the limit still runs, alone, and nothing waits
/// forever). Not thread-safe: the scheduler calls it under its own lock.
struct Admission {
    let budget: Int?
    private var held = 0
    private var sizes: [Int: Int] = [:]
    /// True once a stage was made to wait for memory.
    private(set) var heldBack = false

    init(budget: Int?) { self.budget = budget }

    /// Whether stage `index`, of working set `size()`, may start now; if so it counts as running.
    mutating func admit(_ index: Int, running: Int, size: () -> Int) -> Bool {
        guard let budget else { return true }
        // At least a byte, at most the whole budget (such a stage runs alone).
        let bytes = sizes[index] ?? max(1, min(size(), max(1, budget)))
        sizes[index] = bytes
        guard running == 0 || held + bytes <= budget else {
            heldBack = true
            return false
        }
        held += bytes
        return true
    }

    mutating func release(_ index: Int) {
        guard budget != nil, let bytes = sizes.removeValue(forKey: index) else { return }
        held -= bytes
    }
}
