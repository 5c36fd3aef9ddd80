import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Deterministic data parallelism.
///
/// Work is always cut into the same blocks, chosen from the problem's shape
/// only; workers merely decide *who* computes a block, never *what* a block
/// is. No reduction is ever split across workers. So any worker count gives
/// bit-identical results (docs/architecture.md §7.3).
public enum Parallel {
    /// Worker count used when none was set for the current thread: the
    /// number of online CPUs.
    public static let defaultWorkers: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    private static let nestedKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// True inside the body of a parallel loop (whatever the worker count,
    /// including 1). Kernels use it to run as one block there: the caller
    /// already split the work, and the blocking must not depend on workers.
    public static var isNested: Bool { pthread_getspecific(nestedKey) != nil }

    private static func nested<R>(_ body: () -> R) -> R {
        let previous = pthread_getspecific(nestedKey)
        pthread_setspecific(nestedKey, UnsafeRawPointer(bitPattern: 1))
        defer { pthread_setspecific(nestedKey, previous) }
        return withWorkers(1, body)
    }

    /// Runs `body` inline as the one block of a parallel loop (`isNested` is
    /// true inside): kernels there compute exactly as in any loop's block.
    public static func asOneBlock<R>(_ body: () -> R) -> R { nested(body) }

    /// Worker count for parallel loops started from the current thread.
    public static var workers: Int {
        let raw = Int(bitPattern: pthread_getspecific(key))
        return raw > 0 ? raw : defaultWorkers
    }

    /// Runs `body` with parallel loops on this thread limited to `count` workers.
    public static func withWorkers<R>(_ count: Int, _ body: () throws -> R) rethrows -> R {
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: max(1, count)))
        defer { pthread_setspecific(key, previous) }
        return try body()
    }

    /// Cores the process is computing on now: registered computing threads
    /// (a stage's own thread) plus the helpers their loops have borrowed.
    private static let busy = Mutex(0)

    /// Runs `body` as one computing thread of the process: while it runs it
    /// holds one core of the process-wide budget, so that loops elsewhere
    /// borrow only the cores nobody uses (a lone stage gets them all).
    public static func asComputingThread<R>(_ body: () throws -> R) rethrows -> R {
        busy.withLock { $0 += 1 }
        defer { busy.withLock { $0 -= 1 } }
        return try body()
    }

    private static let widthKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// How many threads the last parallel loop started on this thread ran on
    /// (the caller and the cores it borrowed); for tests and diagnostics.
    public static var lastWidth: Int { Int(bitPattern: pthread_getspecific(widthKey)) }

    /// Takes up to `wanted` free cores from the process-wide budget.
    private static func borrow(upTo wanted: Int) -> Int {
        busy.withLock { used in
            let taken = max(0, min(wanted, defaultWorkers - max(used, 1)))
            used += taken
            return taken
        }
    }

    /// Calls `body(block)` for every block in `0..<blocks`, spread over the
    /// calling thread and the cores free in the process right now (at most the
    /// current worker count): each thread claims the next unclaimed block until
    /// none is left, so a helper that wakes late or a slow block does not leave
    /// a core idle (measured on SmallNet training with fixed striding: both
    /// cores busy only 82 % of the time). Blocks must write disjoint memory. Worker threads inherit the caller's worker count (1
    /// inside a block, so nested loops run inline), and `isNested` is true there.
    public static func forEach(blocks: Int, _ body: (Int) -> Void) {
        let limit = min(workers, blocks)
        let helpers = limit > 1 ? borrow(upTo: limit - 1) : 0
        defer { if helpers > 0 { busy.withLock { $0 -= helpers } } }
        let count = 1 + helpers
        pthread_setspecific(widthKey, UnsafeRawPointer(bitPattern: count))
        if count <= 1 {
            nested { for block in 0..<blocks { body(block) } }
            return
        }
        let next = Atomic<Int>(0)
        withoutActuallyEscaping(body) { body in
            // Safe: blocks write disjoint memory (the caller's contract) and
            // concurrentPerform returns only after every worker has finished.
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: count) { _ in
                nested {
                    while case let block = next.wrappingAdd(1, ordering: .relaxed).oldValue, block < blocks {
                        body(block)
                    }
                }
            }
        }
    }

    /// Splits `0..<count` into consecutive ranges of `grain` (the last may be
    /// shorter) and calls `body` for each range in parallel.
    public static func forEachRange(count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let grain = max(1, grain)
        let blocks = (count + grain - 1) / grain
        forEach(blocks: blocks) { block in
            let start = block * grain
            body(start..<min(count, start + grain))
        }
    }
}
