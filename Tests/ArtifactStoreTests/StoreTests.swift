import ArtifactStore
import Foundation
import HDF5
import TestSupport
import Testing

func header(_ key: String, kind: String = "test") -> ArtifactHeader {
    ArtifactHeader(kind: kind, key: key, parameters: "{\"a\":1}", inputs: ["in1", "in2"], alflowVersion: "test",
                   created: Timestamp.now(), blasCore: "core", blasConfiguration: "config", computeSeconds: 1.5)
}

func key(_ n: Int) -> String {
    let hex = String(n, radix: 16)
    return String(repeating: "a", count: 64 - hex.count) + hex
}

@Suite struct StoreTests {
    @Test func everyTypeAndAttributeRoundTripsThroughAFreshStore() throws {
        let dir = try TemporaryDirectory()
        let content = ArtifactContent(arrays: [
            "features": HDF5Array((0..<100_000).map { Float($0) * 0.25 }, shape: [1000, 100]),
            "nested/doubles": HDF5Array([Double.pi, -1], shape: [2]),
            "labels": HDF5Array((0..<10).map { Int32($0) }),
            "indices": HDF5Array([Int64(7), 8, 9]),
            "mask": HDF5Array([UInt8(1), 0, 1]),
        ], attributes: ["epochs": .integer(40), "loss": .double(0.25), "kind": .string("x"), "names": .strings(["a", "b"])])
        do {
            let store = try ArtifactStore(root: dir.path, alflowVersion: "test")
            try store.publish(header(key(1)), content)
        }
        let store = try ArtifactStore(root: dir.path, alflowVersion: "test")
        guard case .hit(let artifact) = try store.read(key(1)) else { Issue.record("not a hit"); return }
        #expect(artifact.content == content)
        #expect(artifact.header.inputs == ["in1", "in2"])
        #expect(artifact.header.kind == "test" && artifact.header.computeSeconds == 1.5)
        #expect(artifact.header.payloadDigest == content.payloadDigest)
        #expect(try store.read(key(2)).isMissing)
        // Publishing the same key again leaves the first object untouched.
        try store.publish(header(key(1)), ArtifactContent(arrays: ["other": HDF5Array([Float(1)])]))
        guard case .hit(let again) = try ArtifactStore(root: dir.path, alflowVersion: "test").read(key(1)) else { Issue.record("object lost"); return }
        #expect(again.content == content)
    }

    @Test func truncationAndAFlippedByteAreDetectedAndQuarantined() throws {
        let dir = try TemporaryDirectory()
        let store = try ArtifactStore(root: dir.path, alflowVersion: "test")
        let content = ArtifactContent(arrays: ["values": HDF5Array((0..<5000).map(Float.init))])
        try store.publish(header(key(1)), content)
        try store.publish(header(key(2)), content)
        // Truncate one.
        let path1 = store.layout.object(key(1))
        let bytes1 = try Data(contentsOf: URL(fileURLWithPath: path1))
        try bytes1.prefix(bytes1.count / 2).write(to: URL(fileURLWithPath: path1))
        // Flip one byte inside the (uncompressed) data of the other: find the float 1234.0.
        let path2 = store.layout.object(key(2))
        var bytes2 = try Data(contentsOf: URL(fileURLWithPath: path2))
        let pattern = withUnsafeBytes(of: Float(1234).bitPattern.littleEndian) { Data($0) }
        let position = try #require(bytes2.range(of: pattern)).lowerBound
        bytes2[position + 1] ^= 0x40
        try bytes2.write(to: URL(fileURLWithPath: path2))

        let fresh = try ArtifactStore(root: dir.path, alflowVersion: "test")
        let (checked, problems) = fresh.verifyAll()
        #expect(checked == 2 && problems.count == 2)
        #expect(problems.contains { $0.reason.contains("digest") })
        for k in [key(1), key(2)] {
            guard case .damaged = try fresh.read(k) else { Issue.record("\(k) not quarantined"); continue }
            #expect(!FileManager.default.fileExists(atPath: fresh.layout.object(k)))
            #expect(try fresh.read(k).isMissing)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: fresh.layout.quarantine).count == 2)
    }

    @Test func foreignFilesAndNewerFormatsGiveClearMessages() throws {
        let dir = try TemporaryDirectory()
        let store = try ArtifactStore(root: dir.path, alflowVersion: "test")
        try Data("hello".utf8).write(to: URL(fileURLWithPath: store.layout.objects + "/notes.txt"))
        let (_, problems) = store.verifyAll()
        #expect(problems.first?.reason.contains("foreign") == true)

        let newer = try TemporaryDirectory()
        try Data("alflow-store-format 99\n".utf8).write(to: URL(fileURLWithPath: newer.path + "/.alflow-store"))
        let error = #expect(throws: StoreError.self) { _ = try ArtifactStore(root: newer.path, alflowVersion: "test") }
        #expect(error?.description.contains("newer alflow") == true)

        let blocked = try TemporaryDirectory()
        try Data().write(to: URL(fileURLWithPath: blocked.file("file")))
        #expect(throws: StoreError.self) { _ = try ArtifactStore(root: blocked.file("file") + "/store", alflowVersion: "test") }
    }

    @Test func checkpointsAreVerifiedAndReplacedAtomically() throws {
        let dir = try TemporaryDirectory()
        let store = try ArtifactStore(root: dir.path, alflowVersion: "test")
        #expect(store.readCheckpoint(key: key(5)) == nil)
        try store.writeCheckpoint(key: key(5), kind: "train", content: ArtifactContent(attributes: ["epoch": .integer(3)]))
        try store.writeCheckpoint(key: key(5), kind: "train", content: ArtifactContent(attributes: ["epoch": .integer(4)]))
        #expect(store.readCheckpoint(key: key(5))?.attributes["epoch"] == .integer(4))
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: store.layout.checkpoint(key(5))))
        #expect(store.readCheckpoint(key: key(5)) == nil)
        #expect(!store.hasCheckpoint(key: key(5)))
    }

    @Test func garbageCollectionKeepsRootsActiveRunsAndLockedObjects() throws {
        let dir = try TemporaryDirectory()
        let store = try ArtifactStore(root: dir.path, alflowVersion: "test")
        let content = ArtifactContent(arrays: ["v": HDF5Array([Float(1)])])
        for n in 1...5 { try store.publish(header(key(n)), content) }
        let manifest = RunManifest(workflow: "running", file: "w.yaml", created: Timestamp.now(),
                                   stages: [RunManifest.Stage(id: "s", kind: "train", key: key(3))])
        try store.writeManifest(manifest)
        let running = try store.markRunning(manifest)
        let busy = try store.lock(key(4))
        let dry = try store.collectGarbage(roots: [key(1)], dryRun: true)
        #expect(dry.removed.sorted() == [key(2), key(5)])
        #expect(dry.keptBusy == [key(4)])
        #expect(store.objectFiles().count == 5)
        let real = try store.collectGarbage(roots: [key(1)], dryRun: false)
        #expect(real.removed.sorted() == [key(2), key(5)])
        #expect(Set(store.objectFiles().compactMap(\.key)) == [key(1), key(3), key(4)])
        busy.release()
        running.release()
        let after = try store.collectGarbage(roots: [], dryRun: false)
        #expect(after.removed.sorted() == [key(1), key(3), key(4)])
    }

    @Test func fileDigestsAreMemoisedByStatAndFollowContent() throws {
        let dir = try TemporaryDirectory()
        let store = try ArtifactStore(root: dir.file("store"), alflowVersion: "test")
        let digests = FileDigests(store: store)
        let file = dir.file("data.csv")
        try Data("a,b\n1,2\n".utf8).write(to: URL(fileURLWithPath: file))
        let first = try digests.digest(of: file)
        #expect(first == (try FileDigests(store: store).digest(of: file)))
        try Data("a,b\n1,3\n".utf8).write(to: URL(fileURLWithPath: file))
        #expect(try FileDigests(store: store).digest(of: file) != first)
        // A copy elsewhere has the same digest: files are keyed by content, not path.
        try Data("a,b\n1,3\n".utf8).write(to: URL(fileURLWithPath: dir.file("copy.csv")))
        #expect(try digests.digest(of: dir.file("copy.csv")) == (try digests.digest(of: file)))
    }
}

extension ArtifactStore.Lookup {
    var isMissing: Bool { if case .missing = self { return true } else { return false } }
}
