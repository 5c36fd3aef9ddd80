/// Which stages one job computes. A job starts at a ready stage and follows
/// one path through the DAG (at a fork, the first branch in plan order),
/// taking along the leaves off the path (evaluations): small dependent
/// stages share a job's start-up instead of each paying it. The other
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
    func chain(from head: String, maxLength: Int, free: (String) -> Bool, isDone: (String) -> Bool) -> [String] {
        var chain = [head]
        var members: Set<String> = [head]
        var tip = head
        while chain.count < maxLength {
            let candidates = (dependents[tip] ?? []).filter { id in
                !members.contains(id) && free(id) && (inputs[id] ?? []).allSatisfy { members.contains($0) || isDone($0) }
            }.sorted { position(of: $0) < position(of: $1) }
            let leaves = candidates.filter { (dependents[$0] ?? []).isEmpty }
            for leaf in leaves.prefix(maxLength - chain.count) {
                chain.append(leaf)
                members.insert(leaf)
            }
            guard chain.count < maxLength, let next = candidates.first(where: { !(dependents[$0] ?? []).isEmpty }) else { break }
            chain.append(next)
            members.insert(next)
            tip = next
        }
        return chain
    }
}
