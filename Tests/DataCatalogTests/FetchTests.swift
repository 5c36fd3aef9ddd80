import ArtifactStore
import Crypto
import DataCatalog
import Foundation
import TestSupport
import Testing

/// Downloads through a real HTTP client against a server this test starts
/// on 127.0.0.1; nothing leaves the machine.
@Suite(.serialized, .timeLimit(.minutes(3))) struct FetchTests {
    static func md5(_ data: Data) -> String { Insecure.MD5.hash(data: data).map { String(format: "%02x", $0) }.joined() }
    static func sha256(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    static func file(_ name: String, _ data: Data, urls: [String]) -> DataFile {
        DataFile(name, size: Int64(data.count), md5: md5(data), sha256: sha256(data), urls: urls)
    }

    /// The data folder holds nothing half-written: only verified objects, the index and (empty) work folders.
    static func partials(_ store: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: store + "/data/partial"))?.filter { $0.hasSuffix(".part") } ?? []
    }

    @Test func downloadsVerifiesAndStoresByContentOnce() throws {
        let server = try TestServer()
        let data = try server.add("a.bin", bytes: 300_000)
        let store = try TemporaryDirectory()
        let file = Self.file("a.bin", data, urls: [server.url("good", "a.bin")])
        let fetcher = DataFetcher(storeRoot: store.path, mirror: nil, offline: false)
        let path = try fetcher.fetch(file, of: "test")
        #expect(path == store.path + "/data/" + Self.sha256(data))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == data)
        #expect(fetcher.shelf.entries()[file.digest]?.source == server.url("good", "a.bin"))
        #expect(try fetcher.fetch(file, of: "test") == path)
        #expect(server.requests.count == 1, "a stored file is not downloaded again")
        #expect(Self.partials(store.path).isEmpty)
    }

    @Test func anInterruptedTransferResumesWithARange() throws {
        let server = try TestServer()
        let data = try server.add("b.bin", bytes: 1_000_000)
        let store = try TemporaryDirectory()
        let file = Self.file("b.bin", data, urls: [server.url("cut", "b.bin")])
        let path = try DataFetcher(storeRoot: store.path, mirror: nil, offline: false).fetch(file, of: "test")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == data)
        let requests = server.requests
        #expect(requests.count == 2, "\(requests)")
        #expect(requests.first?.range == "-")
        #expect(requests.last?.range.hasPrefix("bytes=") == true && requests.last?.range != "bytes=0-", "the second request resumes: \(requests)")
    }

    @Test func aCorruptFileIsRejectedAndTheNextSourceUsed() throws {
        let server = try TestServer()
        let data = try server.add("c.bin", bytes: 50_000)
        let store = try TemporaryDirectory()
        let file = Self.file("c.bin", data, urls: [server.url("corrupt", "c.bin"), server.url("good", "c.bin")])
        let fetcher = DataFetcher(storeRoot: store.path, mirror: nil, offline: false)
        let path = try fetcher.fetch(file, of: "test")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == data)
        #expect(fetcher.shelf.entries()[file.digest]?.source == server.url("good", "c.bin"))
        #expect(Self.partials(store.path).isEmpty)
        // With only the corrupt source: a clear error naming the file and both digests, and nothing stored.
        let other = try TemporaryDirectory()
        let bad = Self.file("c.bin", data, urls: [server.url("corrupt", "c.bin")])
        do {
            _ = try DataFetcher(storeRoot: other.path, mirror: nil, offline: false).fetch(bad, of: "test")
            Issue.record("a corrupt file was accepted")
        } catch let error as DataFetchError {
            let text = error.description
            #expect(text.contains("test/c.bin") && text.contains("expected sha256:\(Self.sha256(data))") && text.contains("received sha256:"), "\(text)")
        }
        #expect((try? FileManager.default.contentsOfDirectory(atPath: other.path + "/data"))?.filter { $0.count == 64 }.isEmpty ?? true)
    }

    @Test func aTruncatedFileIsNeverPublishedOrRead() throws {
        let server = try TestServer()
        let data = try server.add("d.bin", bytes: 80_000)
        let store = try TemporaryDirectory()
        let file = Self.file("d.bin", data, urls: [server.url("short", "d.bin")])
        let fetcher = DataFetcher(storeRoot: store.path, mirror: nil, offline: false)
        #expect(throws: DataFetchError.self) { try fetcher.fetch(file, of: "test") }
        #expect(fetcher.shelf.path(of: file) == nil)
        #expect(fetcher.shelf.entries().isEmpty)
        #expect(Self.partials(store.path).isEmpty, "a rejected transfer leaves nothing to resume from")
    }

    @Test func twoProcessesFetchingTogetherDownloadOnce() throws {
        let server = try TestServer()
        let data = try server.add("e.bin", bytes: 2_000_000)
        let store = try TemporaryDirectory()
        let probe = TestPaths.product("FetchProbe")
        let runs = try (0..<2).map { _ in
            try Subprocess.start(probe, [store.path, "e.bin", Self.md5(data), server.url("slow", "e.bin")])
        }
        let results = runs.map { Subprocess.finish($0.0, $0.1, $0.2) }
        #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
        #expect(Set(results.map { $0.stdout.trimmingCharacters(in: .whitespacesAndNewlines) }).count == 1)
        #expect(server.requests.count == 1, "one download for two processes: \(server.requests)")
    }

    @Test func offlineWithAMirrorFolderUsesItAndNeverTheNetwork() throws {
        let server = try TestServer()
        let data = try server.add("f.bin", bytes: 10_000)
        let mirror = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: mirror.file("set"), withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: mirror.file("set/f.bin")))
        let store = try TemporaryDirectory()
        let file = Self.file("f.bin", data, urls: [server.url("good", "f.bin")])
        let path = try DataFetcher(storeRoot: store.path, mirror: mirror.path, offline: true).fetch(file, of: "set")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == data)
        #expect(server.requests.isEmpty)
    }

    @Test func offlineWithoutAMirrorSaysWhatToFetchAndWhereToPutIt() throws {
        let server = try TestServer()
        let data = try server.add("g.bin", bytes: 1_000)
        let store = try TemporaryDirectory()
        let file = Self.file("g.bin", data, urls: [server.url("good", "g.bin")])
        do {
            _ = try DataFetcher(storeRoot: store.path, mirror: nil, offline: true).fetch(file, of: "set")
            Issue.record("fetched while offline")
        } catch let error as DataFetchError {
            let text = error.description
            #expect(text.contains("cannot obtain set/g.bin") && text.contains("md5 \(Self.md5(data))"), "\(text)")
            #expect(text.contains("offline") && text.contains("ALFLOW_DATA_MIRROR") && text.contains(server.url("good", "g.bin")), "\(text)")
        }
        #expect(server.requests.isEmpty)
    }
}
