import ArgumentParser
import DataCatalog
import Foundation

/// `--data-mirror` and `--offline`, shared by the commands that fetch data.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data-mirror"), help: ArgumentHelp(
        "A folder or URL prefix holding data files, tried before the publishers (default: $ALFLOW_DATA_MIRROR).",
        valueName: "folder-or-url"))
    var mirror: String?
    @Flag(name: .long, help: "Never use the network for data (the store and a mirror folder only; also $ALFLOW_OFFLINE=1).")
    var offline = false

    func fetcher(store: String) -> DataFetcher {
        let environment = ProcessInfo.processInfo.environment
        return DataFetcher(storeRoot: store, mirror: DataFetcher.mirror(explicit: mirror),
                           offline: offline || environment["ALFLOW_OFFLINE"] == "1", progress: FetchProgress.shared.report)
    }
}

/// A progress bar per file on a terminal; elsewhere, nothing until a file is done.
final class FetchProgress: @unchecked Sendable {
    // `@unchecked`: `last` is read and written only while holding `lock`.
    static let shared = FetchProgress()
    private let lock = NSLock()
    private var last: (file: String, percent: Int) = ("", -1)

    func report(_ file: String, _ bytes: Int64, _ total: Int64?) {
        guard Console.standardErrorIsTerminal else { return }
        lock.lock()
        defer { lock.unlock() }
        let percent = total.map { $0 > 0 ? Int(bytes * 100 / $0) : 0 } ?? -1
        guard file != last.file || percent != last.percent else { return }
        last = (file, percent)
        let megabytes = String(format: "%.1f", Double(bytes) / 1_000_000)
        let line = total.map { "\(file)  \(percent)%  \(megabytes) / \(String(format: "%.1f", Double($0) / 1_000_000)) MB" }
            ?? "\(file)  \(megabytes) MB"
        FileHandle.standardError.write(Data("\r\u{1B}[2K  fetching \(line)".utf8))
        if let total, bytes >= total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
