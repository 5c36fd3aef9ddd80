import Foundation

/// Set when the user interrupts (SIGINT/SIGTERM): no new stage starts, and
/// running stages stop at their next safe point (an epoch boundary).
public final class Cancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false

    public init() {}

    public var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    public func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }

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
