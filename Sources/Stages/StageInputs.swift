import Workflows

/// A stage's input objects by role — the load, the selection, the training,
/// the perturbation, the scores — each the input of that stage kind (a
/// warm-started training's earlier training is its `previousTrain`). A role
/// a stage needs but lacks is a clear error naming the stage.
struct StageInputs {
    private var byKind: [StageKind: Input] = [:]
    private let stage: String

    init(_ planned: PlannedStage, plan: Plan, read: (String) throws -> Input) throws {
        stage = planned.id
        for id in planned.inputs {
            guard let input = plan.stage(id) else { throw StageError.malformedInput(stage: id, what: "not in the plan") }
            guard byKind[input.kind] == nil else {
                throw StageError.malformedInput(stage: planned.id, what: "two \(input.kind.rawValue) inputs")
            }
            byKind[input.kind] = try read(id)
        }
    }

    func load() throws -> LoadPayload { try LoadPayload(try role(.load)) }
    func selection(poolSize: Int) throws -> SelectionPayload { try SelectionPayload(try role(.select), poolSize: poolSize) }
    func train() throws -> Input { try role(.train) }
    func previousTrain() throws -> Input { try role(.train) }
    var perturb: Input? { byKind[.perturb] }
    var score: Input? { byKind[.score] }

    private func role(_ kind: StageKind) throws -> Input {
        guard let input = byKind[kind] else { throw StageError.malformedInput(stage: stage, what: "it has no \(kind.rawValue) input") }
        return input
    }
}
