import ArtifactStore
import Execution
import ExternalModels
import Foundation
import Workflows

/// Before an external model's workflow is planned: its command must exist,
/// its `describe` must answer, its strategies must be ones it can serve, and
/// its identity (the content of its files, its environment) goes into the
/// workflow so that the keys hold it.
enum ExternalModelPreparation {
    /// `run` starts the workers it keeps for the run; the other commands use
    /// the store's cached `describe` answer, asking a short-lived worker when
    /// there is none (and, read-only, remembering nothing).
    enum Mode { case start, describe }

    static func prepare(_ workflow: inout Workflow, store: ArtifactStore?, mode: Mode, cancellation: Cancellation?) throws
        -> ExternalModelRuntime? {
        guard var spec = workflow.model.external else { return nil }
        let location = workflow.model.location ?? SourceLocation(file: workflow.file, line: 1, column: 1)
        if let problem = ExternalModelSetup.commandProblem(spec) { throw Console.fail(problem) }
        let files = FileDigests(store: store?.isReadOnly == false ? store : nil)
        let digest: (String) throws -> String = { try files.digest(of: $0) }
        let cachePath = try? store.map { try ExternalModelSetup.describeCachePath(spec, store: $0, digest: digest) }
        var runtime: ExternalModelRuntime?
        let description: ModelDescription
        do {
            if mode == .describe, let cachePath, let line = try? String(contentsOfFile: cachePath, encoding: .utf8),
               let cached = try? ModelDescription(line: line) {
                description = cached
            } else {
                let started = try startRuntime(spec, store: store, cancellation: cancellation)
                description = started.description
                if mode == .start { runtime = started } else { started.shutdown() }
                if let cachePath, let store, !store.isReadOnly {
                    try? FileManager.default.createDirectory(atPath: (cachePath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    try? started.describeLine.write(toFile: cachePath, atomically: true, encoding: .utf8)
                }
            }
        } catch let error as Interrupted {
            throw error
        } catch {
            throw Console.fail(Diagnostic(location, "the external model did not describe itself: \(error)",
                                          hint: "run '\(spec.command.value.joined(separator: " ")) serve' and send {\"protocol\": 1, \"id\": 1, \"op\": \"describe\"}"))
        }
        let problems = ExternalModelSetup.problems(workflow, description)
        if !problems.isEmpty {
            runtime?.shutdown()
            Console.show(problems)
            throw Console.invalid
        }
        do {
            spec.identity = try ExternalModelSetup.identity(spec, description, digest: digest)
        } catch {
            runtime?.shutdown()
            throw Console.fail(Diagnostic(spec.sources.location ?? location, "cannot read the model's files: \(error)"))
        }
        workflow.model.external = spec
        return runtime
    }

    private static func startRuntime(_ spec: ExternalModelSpec, store: ArtifactStore?, cancellation: Cancellation?) throws -> ExternalModelRuntime {
        let logs: String, scratch: String
        if let store, !store.isReadOnly {
            logs = store.layout.logs + "/external"
            scratch = store.layout.temporary + "/external"
        } else {
            // A read-only command writes nothing into the store.
            let folder = NSTemporaryDirectory() + "/alflow-describe-\(getpid())"
            logs = folder
            scratch = folder
        }
        return try ExternalModelRuntime(spec: spec, logFolder: logs, scratchFolder: scratch, cancelled: { cancellation?.isCancelled ?? false })
    }
}
