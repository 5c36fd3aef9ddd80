import ArgumentParser
import ArtifactStore
import DataCatalog
import Foundation
import Workflows

struct FetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download and verify data sets by name, or those workflows need, into the store.",
        discussion: """
            For a cluster: run it on a login node with network access, then run the workflows on nodes without. \
            Each file is verified against its published checksum before it is stored; an interrupted download \
            resumes. Known data sets: \(KnownDataset.all.map(\.name).joined(separator: ", ")).
            """)

    @Argument(help: "Data set names or workflow files.") var items: [String]
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var dataOptions: DataOptions

    func run() throws {
        var datasets: [KnownDataset] = []
        for item in items {
            if let known = KnownDataset.named(item) {
                datasets.append(known)
            } else if item.hasSuffix(".yaml") || item.hasSuffix(".yml") || FileManager.default.fileExists(atPath: item) {
                let session = try WorkflowSession.open(item, overrides: [], store: nil, inspectData: false)
                if case .builtin(let name) = session.workflow.dataset.source.value, let known = KnownDataset.named(name) {
                    datasets.append(known)
                } else {
                    Console.out("\(item): reads local files; nothing to fetch")
                }
            } else {
                throw Console.fail(DataFetchError.unknown(item))
            }
        }
        let store = try storeOptions.open()
        let fetcher = dataOptions.fetcher(store: store.layout.root)
        var failed = false
        for known in datasets where !known.files.isEmpty {
            do {
                let paths = try fetcher.fetch(known)
                let entries = fetcher.shelf.entries()
                for file in known.files {
                    let source = entries[file.digest]?.source ?? "?"
                    Console.out("\(known.name)/\(file.name): verified (\(file.digest)) \(paths[file.name] ?? "") from \(source)")
                }
            } catch {
                _ = Console.fail(error)
                failed = true
            }
        }
        if failed { throw Console.failure }
    }
}

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "The data sets alflow knows, and which files the store holds (with sizes and sources).")

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let store = try storeOptions.openIfPresent()
        let shelf = store.map { DataShelf(storeRoot: $0.layout.root) }
        let entries = shelf?.entries() ?? [:]
        for known in KnownDataset.all {
            Console.out("\(known.name) — \(known.title); \(known.license)")
            Console.out("  \(known.citation)")
            if known.files.isEmpty { Console.out("  bundled with alflow") }
            for file in known.files {
                if let entry = entries[file.digest], shelf?.path(of: file) != nil {
                    Console.out("  stored   \(file.name)  \(entry.size) bytes  from \(entry.source)  (\(entry.fetched))")
                } else {
                    Console.out("  missing  \(file.name)  \(file.size.map { "\($0) bytes" } ?? "")  \(file.urls.first ?? "no public URL: use a mirror folder")")
                }
            }
        }
    }
}
