import ArgumentParser
import Workflows

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of workflow files (for editors with yaml-language-server).")

    func run() throws {
        Console.out(WorkflowSchema.json)
    }
}
