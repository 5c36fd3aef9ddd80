import Tensors

/// k-center greedy (farthest-first traversal; Sener & Savarese 2018, and the
/// batch rule of Noise Stability): repeatedly pick the point farthest from
/// every centre so far. Distances are Euclidean, not squared, accumulated in
/// Double in index order; ties go to the lower index.
///
/// `select` evaluates lazily and exactly: every point sits in a max-heap
/// under an upper bound of its distance to the nearest centre (bounds only
/// fall as centres are added). The top is refreshed against the centres
/// added since its last refresh; a fresh top is the true farthest point.
/// It returns the same picks as `reference`, the plain O(n·k·d) loop, while
/// touching only the points that compete for the top.
public enum KCenterGreedy {
    /// - Parameters:
    ///   - points: `[n, d]` candidates.
    ///   - count: picks wanted (at most n).
    ///   - centers: `[m, d]` initial centres (e.g. the labelled points), or nil.
    ///   - includeOrigin: also treat the origin as a centre (Noise Stability).
    /// - Complexity: O(n·(m + 1)·d) to start, then typically far below
    ///   O(n·count·d).
    public static func select(points: Tensor, count: Int, centers: Tensor? = nil, includeOrigin: Bool = false) -> [Int] {
        let n = points.rowCount, d = points.rowWidth
        let wanted = min(count, n)
        guard wanted > 0 else { return [] }
        let initial = initialDistances(points, centers: centers, includeOrigin: includeOrigin)
        return points.scalars.withUnsafeBufferPointer { buffer in
            let x = buffer.baseAddress!
            var heap = BoundHeap((0..<n).map { BoundHeap.Entry(bound: initial[$0], index: Int32($0), applied: 0) })
            var picks: [Int] = []
            picks.reserveCapacity(wanted)
            while picks.count < wanted, var top = heap.pop() {
                if Int(top.applied) == picks.count {
                    picks.append(Int(top.index))
                    continue
                }
                let point = x + Int(top.index) * d
                for center in picks[Int(top.applied)...] {
                    top.bound = min(top.bound, distance(point, x + center * d, d))
                }
                top.applied = Int32(picks.count)
                heap.push(top)
            }
            return picks
        }
    }

    /// The plain algorithm: after every pick, update every point's distance.
    public static func reference(points: Tensor, count: Int, centers: Tensor? = nil, includeOrigin: Bool = false) -> [Int] {
        let n = points.rowCount, d = points.rowWidth
        var nearest = initialDistances(points, centers: centers, includeOrigin: includeOrigin)
        var picks: [Int] = []
        points.scalars.withUnsafeBufferPointer { buffer in
            let x = buffer.baseAddress!
            var picked = [Bool](repeating: false, count: n)
            while picks.count < min(count, n) {
                var best = -1
                for i in 0..<n where !picked[i] && (best < 0 || nearest[i] > nearest[best]) { best = i }
                picks.append(best)
                picked[best] = true
                for i in 0..<n { nearest[i] = min(nearest[i], distance(x + i * d, x + best * d, d)) }
            }
        }
        return picks
    }

    /// Distance of every point to its nearest initial centre (+∞ with none),
    /// in parallel over fixed blocks of points.
    static func initialDistances(_ points: Tensor, centers: Tensor?, includeOrigin: Bool) -> [Double] {
        let n = points.rowCount, d = points.rowWidth
        let zero = [Float](repeating: 0, count: d)
        var result = [Double](repeating: .infinity, count: n)
        points.scalars.withUnsafeBufferPointer { buffer in
            (centers?.scalars ?? []).withUnsafeBufferPointer { centerBuffer in
                zero.withUnsafeBufferPointer { origin in
                    result.withUnsafeMutableBufferPointer { out in
                        let m = centers?.rowCount ?? 0
                        Parallel.forEachRange(count: n, grain: 1024) { range in
                            for i in range {
                                let point = buffer.baseAddress! + i * d
                                var best = includeOrigin ? distance(point, origin.baseAddress!, d) : .infinity
                                for c in 0..<m { best = min(best, distance(point, centerBuffer.baseAddress! + c * d, d)) }
                                out[i] = best
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// ‖a − b‖ accumulated in Double, in index order.
    @inline(__always)
    public static func distance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ d: Int) -> Double {
        var sum = 0.0
        for j in 0..<d {
            let difference = Double(a[j]) - Double(b[j])
            sum += difference * difference
        }
        return sum.squareRoot()
    }
}

/// A binary max-heap of (bound, index) ordered by bound descending, then
/// index ascending — the tie rule of the plain algorithm.
struct BoundHeap {
    struct Entry {
        var bound: Double
        var index: Int32
        /// How many picks this bound already accounts for.
        var applied: Int32
    }

    private var entries: [Entry]

    init(_ entries: [Entry]) {
        self.entries = entries
        for i in stride(from: entries.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
    }

    @inline(__always)
    static func before(_ a: Entry, _ b: Entry) -> Bool {
        a.bound > b.bound || (a.bound == b.bound && a.index < b.index)
    }

    mutating func pop() -> Entry? {
        guard let last = entries.popLast() else { return nil }
        guard !entries.isEmpty else { return last }
        let top = entries[0]
        entries[0] = last
        siftDown(0)
        return top
    }

    mutating func push(_ entry: Entry) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(entries[child], entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var best = parent
            if left < entries.count, Self.before(entries[left], entries[best]) { best = left }
            if right < entries.count, Self.before(entries[right], entries[best]) { best = right }
            if best == parent { return }
            entries.swapAt(parent, best)
            parent = best
        }
    }
}
