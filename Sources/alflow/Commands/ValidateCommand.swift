import ArgumentParser
import Workflows

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check workflow files (and their data) without running anything.",
        discussion: "Every problem is reported at once as file:line:col: error: message, with a hint. Exit code 65 if any.")

    @Argument(help: "Workflow files.") var files: [String]
    @OptionGroup var overrideOptions: OverrideOptions

    func run() throws {
        var invalid = false
        for file in files {
            do {
                let session = try WorkflowSession.open(file, overrides: overrideOptions.overrides, store: nil, inspectData: true)
                Console.out("\(file): valid (\(session.plan.stages.count) stages: \(session.workflow.strategies.count) strategies × "
                            + "\(session.workflow.seeds.value.count) seeds × \(session.workflow.loop.cycles.value) cycles)")
            } catch let code as ExitCode where code == Console.invalid {
                invalid = true
            }
        }
        if invalid { throw Console.invalid }
    }
}
