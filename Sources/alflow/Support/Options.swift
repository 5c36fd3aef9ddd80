import ArgumentParser
import ArtifactStore

/// `--store`, shared by every command that touches the store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The artifact store (default: $ALFLOW_STORE, else ./artifacts).")
    var store: String?

    /// Opens the store for a command that writes, creating it if needed.
    func open() throws -> ArtifactStore {
        do {
            return try ArtifactStore(root: ArtifactStore.defaultRoot(explicit: store), alflowVersion: Alflow.version)
        } catch {
            throw Console.fail(error)
        }
    }

    /// Opens an existing store for a command that only reads: nothing is
    /// created or changed; a missing store is an error naming the path.
    func openReadOnly() throws -> ArtifactStore {
        do {
            return try ArtifactStore.openReadOnly(root: ArtifactStore.defaultRoot(explicit: store), alflowVersion: Alflow.version)
        } catch {
            throw Console.fail(error)
        }
    }

    /// The store if one exists there (read-only), else nil: for commands that only use it to save work.
    func openIfPresent() throws -> ArtifactStore? {
        do {
            return try ArtifactStore.openReadOnly(root: ArtifactStore.defaultRoot(explicit: store), alflowVersion: Alflow.version)
        } catch StoreError.noStore {
            return nil
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
