import Synchronization

/// Set when the user interrupts (SIGINT/SIGTERM): no new stage starts, and
/// running stages stop at their next safe point (an epoch boundary).
public final class Cancellation: Sendable {
    private let cancelled = Mutex(false)

    public init() {}

    public var isCancelled: Bool { cancelled.withLock { $0 } }

    public func cancel() { cancelled.withLock { $0 = true } }

    /// Throws `Interrupted` if cancelled: call at safe points.
    public func check() throws {
        if isCancelled { throw Interrupted() }
    }
}

/// Thrown at a safe point after an interruption.
public struct Interrupted: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "interrupted" }
}
