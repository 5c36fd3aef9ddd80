import ArtifactStore
import Crypto
import Foundation

/// Brings a known data set's files into the store: from the store itself
/// if already there, else from the mirror (`ALFLOW_DATA_MIRROR` or
/// `--data-mirror`: a folder or a URL prefix), else from each published
/// source in turn. A download resumes what an interrupted one left; every
/// file is verified against its published checksum before it is published
/// (atomically, by content) and before anything reads it; a mismatch tries
/// the next source. One process fetches a file at a time; the others wait
/// and then find it.
public struct DataFetcher: Sendable {
    public let shelf: DataShelf
    /// A folder or a URL prefix tried before the published sources.
    public let mirror: String?
    /// Never use the network (the store and a mirror folder only).
    public let offline: Bool
    /// Called as bytes arrive: (file, bytes so far, total if known).
    public let progress: @Sendable (String, Int64, Int64?) -> Void
    /// Seconds without progress before a transfer is abandoned.
    public let timeout: TimeInterval

    public init(storeRoot: String, mirror: String?, offline: Bool, timeout: TimeInterval = 60,
                progress: @escaping @Sendable (String, Int64, Int64?) -> Void = { _, _, _ in }) {
        shelf = DataShelf(storeRoot: storeRoot)
        self.mirror = mirror.flatMap { $0.isEmpty ? nil : $0 }
        self.offline = offline
        self.timeout = timeout
        self.progress = progress
    }

    /// `--data-mirror`, else `$ALFLOW_DATA_MIRROR`.
    public static func mirror(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        explicit ?? environment["ALFLOW_DATA_MIRROR"]
    }

    /// Every file of `dataset`, fetched if needed: file name → verified path.
    public func fetch(_ dataset: KnownDataset) throws -> [String: String] {
        var paths: [String: String] = [:]
        for file in dataset.files { paths[file.name] = try fetch(file, of: dataset.name) }
        return paths
    }

    /// The verified path of one file, fetching it if needed.
    public func fetch(_ file: DataFile, of dataset: String) throws -> String {
        if let path = shelf.path(of: file) { return path }
        try shelf.prepareFolders()
        let held = try FileLock.acquire(shelf.lockPath(file))
        defer { held.release() }
        // Another process may have fetched it while this one waited.
        if let path = shelf.path(of: file) { return path }
        var attempts: [DataFetchError.Attempt] = []
        for source in sources(file, of: dataset) {
            do {
                return try fetch(file, of: dataset, from: source)
            } catch let error as DataFetchError {
                if case .mismatch(_, _, let expected, let received, let from) = error {
                    attempts.append(.init(source: from, problem: "checksum mismatch: expected \(expected), received \(received)"))
                } else {
                    attempts.append(.init(source: source.description, problem: error.description))
                }
            }
        }
        throw DataFetchError.unavailable(dataset: dataset, file: file, attempts: attempts, offline: offline, mirror: mirror)
    }

    // MARK: Sources

    enum Source: CustomStringConvertible {
        case folder(String)
        case url(URL)

        var description: String {
            switch self {
            case .folder(let path): return path
            case .url(let url): return url.absoluteString
            }
        }
    }

    func sources(_ file: DataFile, of dataset: String) -> [Source] {
        var result: [Source] = []
        if let mirror {
            if let url = URL(string: mirror), let scheme = url.scheme, ["http", "https"].contains(scheme.lowercased()) {
                if !offline {
                    let base = mirror.hasSuffix("/") ? mirror : mirror + "/"
                    for relative in [file.name, dataset + "/" + file.name] {
                        if let url = URL(string: base + relative) { result.append(.url(url)) }
                    }
                }
            } else {
                let folder = mirror.hasPrefix("file://") ? String(mirror.dropFirst(7)) : mirror
                for candidate in [folder + "/" + file.name, folder + "/" + dataset + "/" + file.name]
                where FileManager.default.fileExists(atPath: candidate) {
                    result.append(.folder(candidate))
                }
            }
        }
        if !offline { result += file.urls.compactMap(URL.init(string:)).map(Source.url) }
        return result
    }

    // MARK: One source

    func fetch(_ file: DataFile, of dataset: String, from source: Source) throws -> String {
        let partial = shelf.partialPath(file)
        switch source {
        case .folder(let path):
            unlink(partial)
            try copy(path, to: partial, file: file)
        case .url(let url):
            let resumed = FileManager.default.fileExists(atPath: partial)
            try transfer(url, file: file, into: partial)
            do {
                return try publish(file, of: dataset, partial: partial, source: url.absoluteString)
            } catch DataFetchError.mismatch where resumed {
                // The partial file may have come from another source: once more from the first byte.
                unlink(partial)
                try transfer(url, file: file, into: partial)
            }
        }
        return try publish(file, of: dataset, partial: partial, source: source.description)
    }

    func copy(_ path: String, to partial: String, file: DataFile) throws {
        guard FileManager.default.createFile(atPath: partial, contents: nil), let input = FileHandle(forReadingAtPath: path),
              let output = FileHandle(forWritingAtPath: partial) else {
            throw DataFetchError.transfer(source: path, reason: "cannot copy it into \(shelf.partial)")
        }
        defer { try? input.close(); try? output.close() }
        var copied: Int64 = 0
        while let chunk = try? input.read(upToCount: 1 << 22), !chunk.isEmpty {
            do { try output.write(contentsOf: chunk) } catch {
                throw DataFetchError.transfer(source: path, reason: "cannot write \(partial): \(error)")
            }
            copied += Int64(chunk.count)
            progress(file.name, copied, file.size)
        }
    }

    /// Downloads `url` into `partial`, up to three tries, each resuming what the last one left.
    func transfer(_ url: URL, file: DataFile, into partial: String) throws {
        var lastProblem = ""
        for _ in 0..<3 {
            switch HTTPTransfer.run(url, into: partial, timeout: timeout, progress: { self.progress(file.name, $0, $1 ?? file.size) }) {
            case .complete:
                return
            case .failed(let reason):
                lastProblem = reason
                // A refusal (4xx) will not change on a retry.
                if reason.hasPrefix("HTTP 4") { throw DataFetchError.transfer(source: url.absoluteString, reason: reason) }
            }
        }
        throw DataFetchError.transfer(source: url.absoluteString, reason: lastProblem)
    }

    /// Verifies the partial file against the published checksums and, if it
    /// matches, moves it into the store by its SHA-256; a mismatch deletes it.
    func publish(_ file: DataFile, of dataset: String, partial: String, source: String) throws -> String {
        let (size, md5, sha256) = try Self.digests(partial)
        let sizeOK = file.size.map { $0 == size } ?? true
        let mismatch: (String, String)? = {
            if let expected = file.sha256, expected != sha256 { return ("sha256:" + expected, "sha256:" + sha256) }
            if let expected = file.md5, expected != md5 { return ("md5:" + expected, "md5:" + md5) }
            if !sizeOK { return ("\(file.size ?? 0) bytes", "\(size) bytes") }
            return nil
        }()
        if let (expected, received) = mismatch {
            unlink(partial)
            throw DataFetchError.mismatch(dataset: dataset, file: file.name, expected: expected, received: received, source: source)
        }
        try Durability.sync(partial)
        let target = shelf.object(sha256)
        if rename(partial, target) != 0 {
            throw StoreError.writeFailed(path: target, reason: String(cString: strerror(errno)))
        }
        try Durability.sync(shelf.root)
        try shelf.record(file, entry: DataShelf.Entry(dataset: dataset, file: file.name, sha256: sha256, size: size, source: source,
                                                     fetched: Timestamp.now()))
        return target
    }

    /// Size, MD5 and SHA-256 of a file, streamed.
    static func digests(_ path: String) throws -> (Int64, String, String) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw StoreError.readFailed(path: path, reason: "cannot open") }
        defer { try? handle.close() }
        var md5 = Insecure.MD5(), sha = SHA256()
        var size: Int64 = 0
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 22) ?? Data() } catch {
                throw StoreError.readFailed(path: path, reason: "\(error)")
            }
            if chunk.isEmpty { break }
            md5.update(data: chunk)
            sha.update(data: chunk)
            size += Int64(chunk.count)
        }
        func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 { digest.map { String(format: "%02x", $0) }.joined() }
        return (size, hex(md5.finalize()), hex(sha.finalize()))
    }
}
