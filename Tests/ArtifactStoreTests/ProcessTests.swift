import ArtifactStore
import Foundation
import HDF5
import TestSupport
import Testing

/// Tests with real separate processes: killed mid-write, racing, out of space.
@Suite(.serialized) struct ProcessTests {
    let probe = TestPaths.product("StoreProbe")

    @Test func aProcessKilledWhileWritingNeverLeavesAVisibleObject() throws {
        let dir = try TemporaryDirectory()
        var outcomes: [String] = []
        for trial in 0..<6 {
            let (process, out, err) = try Subprocess.start(probe, ["publish", dir.path, key(100 + trial), "20000000"])
            usleep(UInt32(50_000 + trial * 120_000))     // from mid-write to after the publish
            kill(process.processIdentifier, SIGKILL)
            let result = Subprocess.finish(process, out, err)
            let store = try ArtifactStore(root: dir.path, alflowVersion: "test")
            switch try store.read(key(100 + trial)) {
            case .hit(let artifact):
                // The whole object, as the probe writes it: values[i] = (i mod 977) · 0.5 + seed(key).
                #expect(artifact.header.kind == "probe")
                #expect(artifact.header.key == key(100 + trial))
                let values = artifact.content.arrays["values"]
                #expect(values?.count == 20_000_000)
                if let floats = values?.values(as: Float.self), floats.count == 20_000_000 {
                    let seed = Float(key(100 + trial).utf8.reduce(0) { ($0 &* 31 &+ Int($1)) % 1000 })
                    for i in [0, 1, 976, 977, 978, 12_345_678, 19_999_999] {
                        #expect(floats[i] == Float(i % 977) * 0.5 + seed, "values[\(i)] = \(floats[i])")
                    }
                } else {
                    Issue.record("the published object holds no 20 000 000 floats named 'values'")
                }
                if !result.signalled {
                    #expect(result.status == 0 && result.stdout.contains("published"), "trial \(trial): \(result.stderr)")
                }
                outcomes.append("published")
            case .missing:
                if result.signalled {
                    outcomes.append("killed")
                } else {
                    Issue.record("trial \(trial): the probe exited on its own (status \(result.status)) without publishing: \(result.stderr)")
                }
            case .damaged(let reason):
                Issue.record("a partial object became visible: \(reason)")
            }
            store.cleanTemporaryFiles()
            #expect(try FileManager.default.contentsOfDirectory(atPath: store.layout.temporary).filter { $0.hasSuffix(".h5") }.isEmpty)
        }
        #expect(outcomes.contains("killed"), "\(outcomes)")
        let (_, problems) = try ArtifactStore(root: dir.path, alflowVersion: "test").verifyAll()
        #expect(problems.isEmpty)
    }

    @Test func twoProcessesRacingOnOneKeyPublishOnceAndBothRead() throws {
        let dir = try TemporaryDirectory()
        for round in 0..<3 {
            let k = key(200 + round)
            let a = try Subprocess.start(probe, ["race", dir.path, k, "100000"])
            let b = try Subprocess.start(probe, ["race", dir.path, k, "100000"])
            let results = [Subprocess.finish(a.0, a.1, a.2), Subprocess.finish(b.0, b.1, b.2)]
            #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
            #expect(results.map { $0.stdout.trimmingCharacters(in: .whitespacesAndNewlines) }.sorted() == ["published", "read"])
        }
        #expect(try ArtifactStore(root: dir.path, alflowVersion: "test").objectFiles().count == 3)
    }

    @Test func runningOutOfSpaceIsACleanErrorAndTheStoreStaysConsistent() throws {
        let dir = try TemporaryDirectory()
        let store = try ArtifactStore(root: dir.path, alflowVersion: "test")
        let content = ArtifactContent(arrays: ["v": HDF5Array((0..<1000).map(Float.init))])
        try store.publish(header(key(300)), content)
        // A 200 MB object under a 1 MB file-size limit: the write fails with EFBIG.
        let result = try Subprocess.run(probe, ["limited", dir.path, key(301), "50000000", "1000000"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("nothing was published"), "\(result.stderr)")
        let fresh = try ArtifactStore(root: dir.path, alflowVersion: "test")
        #expect(try fresh.read(key(301)).isMissing)
        guard case .hit(let kept) = try fresh.read(key(300)) else { Issue.record("published object lost"); return }
        #expect(kept.content == content)
        #expect(fresh.verifyAll().problems.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fresh.layout.temporary).filter { $0.hasSuffix(".h5") }.isEmpty)
    }

    /// Users read results without alflow: h5py must open an object and find the documented layout.
    @Test(.enabled(if: Tools.python("h5py"), "needs h5py (make test installs it)"))
    func h5pyReadsAPublishedObject() throws {
        let dir = try TemporaryDirectory()
        let store = try ArtifactStore(root: dir.path, alflowVersion: "test")
        try store.publish(header(key(400), kind: "evaluate"), ArtifactContent(
            arrays: ["metrics/accuracy": HDF5Array([0.5, 0.75]), "big": HDF5Array((0..<100_000).map(Float.init))],
            attributes: ["labeled": .integer(40)]))
        let script = """
        import h5py, json, sys
        f = h5py.File(sys.argv[1], "r")
        a = dict(f.attrs)
        print(json.dumps({
            "format": int(a["alflow_format"]), "kind": a["kind"], "key": a["key"],
            "inputs": [str(x) for x in a["inputs"]], "parameters": json.loads(a["parameters"]),
            "digest": len(a["payload_digest"]), "accuracy": f["data/metrics/accuracy"][()].tolist(),
            "big": float(f["data/big"][()].astype("float64").sum()), "labeled": int(f["data"].attrs["labeled"]),
            "has": sorted(a.keys())}))
        """
        let result = try Subprocess.run("/usr/bin/env", ["python3", "-c", script, store.layout.object(key(400))])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["format"] as? Int == 1)
        #expect(json["kind"] as? String == "evaluate")
        #expect(json["key"] as? String == key(400))
        #expect(json["inputs"] as? [String] == ["in1", "in2"])
        #expect(json["digest"] as? Int == 64)
        #expect(json["accuracy"] as? [Double] == [0.5, 0.75])
        #expect(json["big"] as? Double == 4_999_950_000)
        #expect(json["labeled"] as? Int == 40)
        #expect(Set(json["has"] as? [String] ?? []).isSuperset(of: ["alflow_format", "kind", "key", "parameters", "inputs",
                                                                     "payload_digest", "alflow_version", "created"]))
    }
}
