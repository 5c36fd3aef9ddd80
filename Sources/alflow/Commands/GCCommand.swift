import ArgumentParser
import ArtifactStore
import Foundation
import Workflows

struct GCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove objects that no kept run reaches (default: every recorded run is kept).",
        discussion: """
            Every `alflow run` records its configuration (workflow file and overrides). Plain `gc` keeps the objects \
            of all of them; --keep and --older-than choose which runs to forget first. Objects of runs in progress \
            and objects a process is writing are never removed. --dry-run shows what would go.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @Option(name: .long, parsing: .upToNextOption, help: "Keep only the runs of these workflow files (and their current plans).")
    var keep: [String] = []
    @Option(name: .customLong("older-than"), help: "Forget runs not used for this many days.") var olderThan: Double?
    @Flag(name: .long, help: "List what would be removed; remove nothing.") var dryRun = false

    func validate() throws {
        if let olderThan, olderThan < 0 { throw ValidationError("--older-than takes a number of days ≥ 0") }
    }

    func run() throws {
        let store = try storeOptions.open()
        let keptFiles = Set(keep.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
        let cutoff = olderThan.map { Int64(Date().timeIntervalSince1970 - $0 * 86_400) }
        var roots = Set<String>()
        var dropped: [RecordedRun] = []
        for run in store.recordedRuns() {
            let wanted = keep.isEmpty || keptFiles.contains(URL(fileURLWithPath: run.manifest.file).standardizedFileURL.path)
            let recent = cutoff.map { run.manifest.lastUsed > $0 } ?? true
            if run.active || (wanted && recent) {
                roots.formUnion(run.manifest.stages.map(\.key))
            } else {
                dropped.append(run)
            }
        }
        for file in keep {
            let session = try WorkflowSession.open(file, overrides: [], store: store, inspectData: false)
            roots.formUnion(session.plan.stages.map(\.digest))
        }
        for run in dropped {
            let manifest = run.manifest
            let overrides = manifest.overrides.isEmpty ? "" : " --set " + manifest.overrides.joined(separator: " --set ")
            Console.out("\(dryRun ? "would forget" : "forgot") run \(manifest.workflow) (\(manifest.file)\(overrides); last used \(Self.date(manifest.lastUsed)))")
            if !dryRun { store.removeRun(run) }
        }
        let result = try store.collectGarbage(roots: roots, dryRun: dryRun)
        let megabytes = String(format: "%.1f MB", Double(result.bytes) / 1_000_000)
        for key in result.keptBusy { Console.out("kept \(key) (in use by a running process)") }
        Console.out("\(dryRun ? "would remove" : "removed") \(result.removed.count) objects (\(megabytes)); "
                    + "\(roots.count) keys of \(store.recordedRuns().count - (dryRun ? dropped.count : 0)) runs kept")
    }

    static func date(_ seconds: Int64) -> String {
        seconds == 0 ? "unknown" : ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
