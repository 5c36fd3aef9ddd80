/// Which stages one job computes. A job starts at a ready stage and follows
/// one path through the DAG (at a fork, the first branch in plan order),
/// taking along the small side branches off the path (a training and its
/// evaluation, an evaluation): small dependent stages share a job's start-up
/// instead of each paying it. The other
/// branches of a fork become jobs of their own as soon as the fork's result
/// is published, so chaining costs no parallelism.
struct JobChains {
    private let positions: [String: Int]
    private let keys: [String: String]
    private let inputs: [String: [String]]
    private let dependents: [String: [String]]

    init(work: ExecutorWork) {
        let ids = work.ids
        var positions: [String: Int] = [:]
        for (index, id) in ids.enumerated() { positions[id] = index }
        var keys: [String: String] = [:]
        var inputs: [String: [String]] = [:]
        var dependents: [String: [String]] = [:]
        for id in ids {
            guard let stage = work.stage(id) else { continue }
            if keys[stage.key] == nil { keys[stage.key] = id }
            let own = stage.inputs.filter { positions[$0] != nil }
            inputs[id] = own
            for input in own { dependents[input, default: []].append(id) }
        }
        self.positions = positions
        self.keys = keys
        self.inputs = inputs
        self.dependents = dependents
    }

    func position(of id: String) -> Int { positions[id] ?? Int.max }

    func id(forKey key: String) -> String? { keys[key] }

    /// The stages of a job starting at `head`: `free` says whether a stage may
    /// join (no job has it), `isDone` whether an input is already stored.
    /// From the tip of the path, every dependent with a small future (at most
    /// `smallFuture` stages after it, e.g. a training and its evaluation) comes
    /// along with that future; of the others, the first in plan order continues
    /// the path and the rest are left to jobs of their own.
    func chain(from head: String, maxLength: Int, smallFuture: Int = 2, free: (String) -> Bool, isDone: (String) -> Bool) -> [String] {
        var chain = [head]
        var members: Set<String> = [head]
        var tip = head
        func ready(_ id: String) -> Bool {
            !members.contains(id) && free(id) && (inputs[id] ?? []).allSatisfy { members.contains($0) || isDone($0) }
        }
        func add(_ id: String) {
            chain.append(id)
            members.insert(id)
        }
        while chain.count < maxLength {
            let candidates = (dependents[tip] ?? []).filter(ready).sorted { position(of: $0) < position(of: $1) }
            var next: String?
            for candidate in candidates where chain.count < maxLength {
                guard let future = descendants(of: candidate, limit: smallFuture) else {
                    if next == nil { next = candidate }
                    continue
                }
                add(candidate)
                for later in future where chain.count < maxLength && ready(later) { add(later) }
            }
            guard let next, chain.count < maxLength else { break }
            add(next)
            tip = next
        }
        return chain
    }

    /// Every stage that depends on `id`, directly or not, in plan order; nil if more than `limit`.
    func descendants(of id: String, limit: Int) -> [String]? {
        var seen: Set<String> = []
        var stack = dependents[id] ?? []
        while let next = stack.popLast() {
            guard seen.insert(next).inserted else { continue }
            if seen.count > limit { return nil }
            stack += dependents[next] ?? []
        }
        return seen.sorted { position(of: $0) < position(of: $1) }
    }
}
