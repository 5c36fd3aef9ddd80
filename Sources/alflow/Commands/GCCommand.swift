import ArgumentParser
import ArtifactStore
import Foundation
import Workflows

struct GCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove objects that no kept workflow (or, without --keep, no recorded run) reaches.",
        discussion: "Objects of runs in progress and objects a process is writing are never removed.")

    @OptionGroup var storeOptions: StoreOptions
    @Option(name: .long, parsing: .upToNextOption, help: "Workflow files whose objects to keep (default: every recorded run's).")
    var keep: [String] = []
    @Flag(name: .long, help: "List what would be removed; remove nothing.") var dryRun = false

    func run() throws {
        let store = try storeOptions.open()
        var roots = Set<String>()
        if keep.isEmpty {
            for (manifest, _) in store.manifests() { roots.formUnion(manifest.stages.map(\.key)) }
        } else {
            for file in keep {
                let session = try WorkflowSession.open(file, overrides: [], store: store, inspectData: false)
                roots.formUnion(session.plan.stages.map(\.digest))
            }
        }
        let result = try store.collectGarbage(roots: roots, dryRun: dryRun)
        let megabytes = String(format: "%.1f MB", Double(result.bytes) / 1_000_000)
        for key in result.removed { Console.out("\(dryRun ? "would remove" : "removed") \(key)") }
        for key in result.keptBusy { Console.out("kept \(key) (in use by a running process)") }
        Console.out("\(dryRun ? "would remove" : "removed") \(result.removed.count) objects (\(megabytes)); \(roots.count) keys kept")
    }
}
