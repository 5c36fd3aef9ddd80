import Foundation

/// Hands out stages whose inputs are done, longest remaining chain first; a
/// failed or interrupted stage's dependents are skipped. Bookkeeping is
/// linear in the plan: each stage counts its unfinished inputs and is queued
/// when the count reaches zero.
///
/// Order: a stage's priority is the number of stages on the longest path
/// from it to the end of the plan, ties in plan order — except a leaf (no
/// stage needs it, as an evaluation), which takes the priority of the chain
/// it hangs off: its most specific input's longest path less one. So the
/// long chains (Noise Stability and BALD: four stages a cycle) start first
/// and the short ones fill in beside them, rather than the last chain in plan
/// order running alone at the end (one seed of mnist-paper spent its last
/// 25 s so), and an evaluation runs as soon as its model is there. The order
/// changes when a stage runs, never what it computes.
/// `@unchecked`: every access to the mutable fields holds `condition`.
final class Scheduler: @unchecked Sendable {
    private let condition = NSCondition()
    private let ids: [String]
    private let position: [String: Int]
    private let dependents: [[Int]]
    private var pendingInputs: [Int]
    private var failedInput: [String?]
    /// Ready stages by rank (a binary heap keeps the order).
    private var ready = PositionHeap()
    /// Each stage's place in the order (`rank`), and the stage at each place (`order`).
    private let rank: [Int]
    private let order: [Int]
    private var remaining: Int
    private var running = 0
    private var settled: [String: StageOutcome] = [:]
    var outcomes: [String: StageOutcome] {
        condition.lock()
        defer { condition.unlock() }
        return settled
    }
    private var admission: Admission
    private let workingSet: (String) -> Int
    /// Called once, the first time a stage waits for memory.
    var onHoldBack: (() -> Void)?

    init(ids: [String], inputs: (String) -> [String], memory: Int? = nil, workingSet: @escaping (String) -> Int = { _ in 0 }) {
        admission = Admission(budget: memory)
        self.workingSet = workingSet
        self.ids = ids
        var position: [String: Int] = [:]
        for (index, id) in ids.enumerated() { position[id] = index }
        var dependents = [[Int]](repeating: [], count: ids.count)
        var pending = [Int](repeating: 0, count: ids.count)
        for (index, id) in ids.enumerated() {
            for input in inputs(id) {
                guard let from = position[input] else { continue }
                dependents[from].append(index)
                pending[index] += 1
            }
        }
        self.position = position
        self.dependents = dependents
        (rank, order) = Self.longestChainFirst(dependents)
        pendingInputs = pending
        failedInput = [String?](repeating: nil, count: ids.count)
        remaining = ids.count
        for index in ids.indices where pending[index] == 0 { ready.push(rank[index]) }
    }

    /// The order stages are handed out in (see the type's comment), from the
    /// dependents of each stage of a topologically ordered plan.
    static func longestChainFirst(_ dependents: [[Int]]) -> (rank: [Int], order: [Int]) {
        // Stages on the longest path from each stage to the end, itself included.
        var chain = [Int](repeating: 1, count: dependents.count)
        for index in dependents.indices.reversed() {
            for dependent in dependents[index] { chain[index] = max(chain[index], chain[dependent] + 1) }
        }
        // A leaf's most specific input: the one with the shortest longest path.
        var parentChain = [Int](repeating: .max, count: dependents.count)
        for index in dependents.indices {
            for dependent in dependents[index] { parentChain[dependent] = min(parentChain[dependent], chain[index]) }
        }
        let priority = dependents.indices.map { index in
            dependents[index].isEmpty && parentChain[index] != .max ? parentChain[index] - 1 : chain[index]
        }
        let order = dependents.indices.sorted { priority[$0] != priority[$1] ? priority[$0] > priority[$1] : $0 < $1 }
        var rank = [Int](repeating: 0, count: dependents.count)
        for (place, index) in order.enumerated() { rank[index] = place }
        return (rank, order)
    }

    var count: Int { ids.count }
    var planIDs: [String] { ids }

    /// The next ready stage, waiting while stages run; nil when nothing is left.
    func next(cancelled: () -> Bool) -> String? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if cancelled() { skipAll("interrupted"); return nil }
            // The first ready stage in order whose working set fits.
            var waiting: [Int] = []
            var chosen: Int?
            while chosen == nil, let index = ready.pop().map({ order[$0] }) {
                if let failed = failedInput[index] {
                    settle(index, .skipped("input \(failed) did not complete"))
                    continue
                }
                if admission.admit(index, running: running, size: { workingSet(ids[index]) }) { chosen = index } else { waiting.append(index) }
            }
            for index in waiting { ready.push(rank[index]) }
            if admission.heldBack, let announce = onHoldBack {
                onHoldBack = nil
                announce()
            }
            if let index = chosen {
                running += 1
                return ids[index]
            }
            if remaining == 0 { return nil }
            if running == 0 { skipAll("inputs did not complete"); return nil }
            condition.wait()
        }
    }

    /// Every stage ready now, without waiting (for executors that poll):
    /// each counts as running until `finish`.
    func takeReady() -> [String] {
        condition.lock()
        defer { condition.unlock() }
        var taken: [String] = []
        while let index = ready.pop().map({ order[$0] }) {
            if let failed = failedInput[index] {
                settle(index, .skipped("input \(failed) did not complete"))
                continue
            }
            running += 1
            taken.append(ids[index])
        }
        return taken
    }

    var isFinished: Bool {
        condition.lock()
        defer { condition.unlock() }
        return remaining == 0
    }

    /// Marks every stage not settled yet as skipped.
    func skipRemaining(_ reason: String) {
        condition.lock()
        skipAll(reason)
        condition.unlock()
    }

    static func unsuccessful(_ outcome: StageOutcome?) -> Bool {
        switch outcome {
        case .failed, .skipped: return true
        default: return false
        }
    }

    func finish(_ id: String, outcome: StageOutcome) {
        condition.lock()
        running -= 1
        if let index = position[id] {
            admission.release(index)
            settle(index, outcome)
        }
        condition.broadcast()
        condition.unlock()
    }

    /// Records an outcome and releases the dependents whose inputs are all settled.
    private func settle(_ index: Int, _ outcome: StageOutcome) {
        settled[ids[index]] = outcome
        remaining -= 1
        for dependent in dependents[index] {
            if Self.unsuccessful(outcome), failedInput[dependent] == nil { failedInput[dependent] = ids[index] }
            pendingInputs[dependent] -= 1
            if pendingInputs[dependent] == 0 { ready.push(rank[dependent]) }
        }
    }

    private func skipAll(_ reason: String) {
        for id in ids where settled[id] == nil { settled[id] = .skipped(reason) }
        remaining = 0
        ready = PositionHeap()
        condition.broadcast()
    }
}

/// A min-heap of plan positions.
struct PositionHeap {
    private var items: [Int] = []

    mutating func push(_ value: Int) {
        items.append(value)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child] < items[parent] else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Int? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        guard !items.isEmpty else { return top }
        items[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < items.count, items[left] < items[smallest] { smallest = left }
            if right < items.count, items[right] < items[smallest] { smallest = right }
            guard smallest != parent else { return top }
            items.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
