import ArgumentParser
import ArtifactStore
import Workflows

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Print every component of a stage's cache key, and what its stored object recorded.",
        discussion: "Compare two explanations to see why a stage is not found in the store.")

    @Argument(help: "A workflow file.") var file: String
    @Argument(help: "A stage id, e.g. train/entropy/seed0/cycle3 (see alflow dag).") var stage: String
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var overrideOptions: OverrideOptions

    func run() throws {
        let store = try storeOptions.openReadOnly()
        let session = try WorkflowSession.open(file, overrides: overrideOptions.overrides, store: store, inspectData: false)
        guard let id = session.plan.resolve(stage), let planned = session.plan.stage(id) else {
            let known = session.plan.stages.map(\.id)
            let hint = known.min { a, b in a.commonPrefix(with: stage).count > b.commonPrefix(with: stage).count }
            throw ValidationError("no stage '\(stage)' in '\(session.workflow.name.value)'\(hint.map { "; did you mean '\($0)'?" } ?? "")")
        }
        Console.out("stage \(planned.id)\(id != stage ? " (same as \(stage))" : "")")
        Console.out("key   \(planned.digest)")
        Console.out("key components (SHA-256 of their canonical encoding, in this order):")
        for (name, value) in planned.key.components {
            Console.out("  \(name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(value)")
        }
        Console.out("inputs (stage ids): \(planned.inputs.isEmpty ? "none" : planned.inputs.joined(separator: ", "))")
        switch store.inspect(planned.digest) {
        case .cached(let header):
            Console.out("stored object: \(store.layout.object(planned.digest))")
            Console.out("  created         \(header.created)")
            Console.out("  compute seconds \(header.computeSeconds)")
            Console.out("  payload digest  \(header.payloadDigest)")
            Console.out("  alflow version  \(header.alflowVersion)")
            Console.out("  BLAS            \(header.blasCore) (\(header.blasConfiguration))")
        case .missing: Console.out("stored object: none")
        case .partial: Console.out("stored object: none; a checkpoint of an interrupted computation exists")
        case .corrupt(let reason): Console.out("stored object: damaged (\(reason)); the next run recomputes it")
        }
    }
}
