import ArgumentParser
import ArtifactStore
import Workflows

extension PlanRendering.Format: ExpressibleByArgument {}

struct DagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dag",
        abstract: "Print the plan of a workflow, each stage marked cached, partial or missing.")

    @Argument(help: "A workflow file.") var file: String
    @Option(name: .long, help: "text, dot (Graphviz) or mermaid.") var format: PlanRendering.Format = .text
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var overrideOptions: OverrideOptions

    func run() throws {
        let store = try storeOptions.openIfPresent()
        let session = try WorkflowSession.open(file, overrides: overrideOptions.overrides, store: store, inspectData: false)
        Console.out(PlanRendering.render(session.plan, format: format) { stage in
            guard let store else { return "missing" }
            if store.header(stage.digest) != nil { return "cached" }
            return store.hasCheckpoint(key: stage.digest) ? "partial" : "missing"
        })
    }
}
