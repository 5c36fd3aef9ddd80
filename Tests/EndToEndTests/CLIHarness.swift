import ArtifactStore
import Foundation
import TestSupport

/// Runs the built `alflow` binary on workflows in a temporary folder.
struct CLIHarness {
    static let binary = TestPaths.product("alflow")
    let folder: TemporaryDirectory

    init() throws { folder = try TemporaryDirectory(prefix: "alflow-e2e") }

    /// A small but complete experiment: digits, 2 seeds, 3 strategies, 4 cycles.
    static let smallWorkflow = """
    name: small
    seeds: [0, 1]
    dataset:
      builtin: digits
      test_fraction: 0.3
    model:
      mlp: {hidden: [16]}
    train:
      epochs: 15
      batch_size: 16
    loop:
      initial: 20
      query: 10
      cycles: 4
      candidates: 300
    strategies:
      random: {}
      entropy: {}
      noise_stability: {samples: 5}
    """

    func write(_ name: String, _ text: String) throws -> String {
        let path = folder.file(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func store(_ name: String) -> String { folder.file(name) }

    func run(_ arguments: [String], environment: [String: String]? = nil) throws -> ProcessResult {
        try Subprocess.run(Self.binary, arguments, environment: environment, directory: folder.path)
    }

    func start(_ arguments: [String], environment: [String: String]? = nil) throws -> (Process, Pipe, Pipe) {
        try Subprocess.start(Self.binary, arguments, environment: environment, directory: folder.path)
    }

    /// Every object of a store: key → payload digest (the content's fingerprint).
    static func objects(_ root: String) throws -> [String: String] {
        let store = try ArtifactStore(root: root, alflowVersion: "test")
        var result: [String: String] = [:]
        for file in store.objectFiles() {
            guard let key = file.key, case .hit(let artifact) = try store.read(key) else { continue }
            result[key] = artifact.header.payloadDigest
        }
        return result
    }

    /// The "N stages: C computed, H cached" numbers of a run's output.
    static func counts(_ output: String) -> (total: Int, computed: Int, cached: Int)? {
        guard let line = output.split(separator: "\n").last(where: { $0.contains(" stages: ") }),
              let marker = line.range(of: " stages: ") else { return nil }
        let total = Int(line[..<marker.lowerBound].split(separator: " ").last ?? "")
        let rest = line[marker.upperBound...].split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard let total, rest.count >= 2 else { return nil }
        return (total, rest[0], rest[1])
    }
}
