import ArgumentParser
import ArtifactStore
import Execution
import ExternalModels
import Stages
import Workflows

/// Loading, validating and planning a workflow for a command.
struct WorkflowSession {
    let workflow: Workflow
    let plan: Plan
    /// The workers of an external model (`run` only; stop them with `close()`).
    var external: ExternalModelRuntime?

    /// Exits with 65 after printing every diagnostic if the workflow (or,
    /// with `inspectData`, its data) is invalid. Warnings are printed too.
    static func open(_ path: String, overrides: [String], store: ArtifactStore?, inspectData: Bool,
                     startExternalModel: Bool = false, cancellation: Cancellation? = nil) throws -> WorkflowSession {
        let outcome = WorkflowLoader.load(path, overrides: overrides)
        Console.show(outcome.diagnostics)
        guard var workflow = outcome.workflow else { throw Console.invalid }
        let external = try ExternalModelPreparation.prepare(&workflow, store: store, mode: startExternalModel ? .start : .describe,
                                                            cancellation: cancellation)
        let plan: Plan
        do {
            let files = FileDigests(store: store)
            plan = try StageComputer.plan(workflow) { try SourceLoading.digests($0, files: files) }
        } catch {
            external?.shutdown()
            throw Console.fail(Diagnostic(workflow.dataset.source.location ?? SourceLocation(file: path, line: 1, column: 1),
                                          "cannot read the data files: \(error)"))
        }
        if inspectData {
            let problems = DataInspection.check(workflow, plan: plan, store: store)
            Console.show(problems)
            if problems.contains(where: { $0.severity == .error }) {
                external?.shutdown()
                throw Console.invalid
            }
        }
        return WorkflowSession(workflow: workflow, plan: plan, external: external)
    }

    /// "train entropy seed 2 cycle 4".
    static func label(_ stage: PlannedStage) -> String {
        var parts = [stage.kind.rawValue]
        if stage.kind != .load, let strategy = stage.strategies.first {
            parts.append(stage.strategies.count > 1 ? "\(strategy)+\(stage.strategies.count - 1)" : strategy)
        }
        if let seed = stage.seed ?? stageSeed(stage.id) { parts.append("seed \(seed)") }
        if let cycle = stage.cycle { parts.append("cycle \(cycle)") }
        return parts.joined(separator: " ")
    }

    private static func stageSeed(_ id: String) -> UInt64? {
        id.split(separator: "/").first { $0.hasPrefix("seed") }.flatMap { UInt64($0.dropFirst(4)) }
    }
}
