import ArgumentParser
import ArtifactStore

/// `--store`, shared by every command that touches the store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The artifact store (default: $ALFLOW_STORE, else ./artifacts).")
    var store: String?

    func open() throws -> ArtifactStore {
        do {
            return try ArtifactStore(root: ArtifactStore.defaultRoot(explicit: store), alflowVersion: Alflow.version)
        } catch {
            throw Console.fail(error)
        }
    }
}

/// `--set KEY=VALUE`, shared by every command that reads a workflow.
struct OverrideOptions: ParsableArguments {
    @Option(name: .customLong("set"), help: ArgumentHelp("Override a value of the workflow, e.g. --set loop.cycles=3 (repeatable).",
                                                         valueName: "key=value"))
    var overrides: [String] = []
}
