import ArgumentParser
import ArtifactStore
import Foundation
import Workflows

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Per stage: id, kind, strategy, seed, cycle, key, state (cached, missing, partial, corrupt) and seconds.")

    enum Format: String, ExpressibleByArgument { case text, json }

    @Argument(help: "A workflow file.") var file: String
    @Option(name: .long, help: "text or json.") var format: Format = .text
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var overrideOptions: OverrideOptions

    struct Row: Encodable {
        let id: String
        let kind: String
        let strategy: String?
        let strategies: [String]
        let seed: UInt64?
        let cycle: Int?
        let key: String
        let state: String
        let seconds: Double?
        let reason: String?
    }

    func run() throws {
        let store = try storeOptions.openReadOnly()
        let session = try WorkflowSession.open(file, overrides: overrideOptions.overrides, store: store, inspectData: false)
        let rows = session.plan.stages.map { stage -> Row in
            var seconds: Double?
            var reason: String?
            let state: String
            switch store.inspect(stage.digest) {
            case .cached(let header): state = "cached"; seconds = header.computeSeconds
            case .missing: state = "missing"
            case .partial: state = "partial"; reason = "interrupted; resumes from its checkpoint"
            case .corrupt(let why): state = "corrupt"; reason = why
            }
            return Row(id: stage.id, kind: stage.kind.rawValue, strategy: stage.strategies.first, strategies: stage.strategies,
                       seed: stage.seed, cycle: stage.cycle, key: stage.digest, state: state, seconds: seconds, reason: reason)
        }
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(rows)
            Console.out(String(decoding: data, as: UTF8.self))
        case .text:
            let width = rows.map(\.id.count).max() ?? 0
            for row in rows {
                let seconds = row.seconds.map { String(format: "%8.2f s", $0) } ?? "          "
                Console.out("\(row.state.padding(toLength: 8, withPad: " ", startingAt: 0)) \(row.id.padding(toLength: width, withPad: " ", startingAt: 0))  \(row.key.prefix(12))  \(seconds)\(row.reason.map { "  (\($0))" } ?? "")")
            }
            let counts = Dictionary(grouping: rows, by: \.state).mapValues(\.count)
            Console.out("\(rows.count) stages: " + ["cached", "partial", "missing", "corrupt"].compactMap { state in
                counts[state].map { "\($0) \(state)" } }.joined(separator: ", "))
        }
    }
}
