import Foundation
import TestSupport
import Testing
import Workflows

/// The corpus of invalid workflows: each `NN-name.yaml` in Fixtures/invalid
/// has a `NN-name.expected` holding its exact rendered diagnostics (file,
/// line, column, message, hint). Regenerate with ALFLOW_UPDATE_FIXTURES=1
/// and review the difference before committing it.
@Suite struct FixtureTests {
    static let folder = TestPaths.packageRoot.appendingPathComponent("Tests/WorkflowsTests/Fixtures/invalid")

    static var fixtures: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
    }

    static func rendered(_ name: String) -> String {
        let path = folder.appendingPathComponent(name).path
        let outcome = WorkflowLoader.load(path)
        return outcome.diagnostics.map(\.rendered).joined(separator: "\n")
            .replacingOccurrences(of: folder.path + "/", with: "") + "\n"
    }

    @Test func theCorpusHasAtLeastFortyCases() {
        #expect(Self.fixtures.count >= 40)
    }

    @Test(arguments: fixtures)
    func invalidWorkflowGivesItsExactDiagnostics(_ name: String) throws {
        let actual = Self.rendered(name)
        let expectedPath = Self.folder.appendingPathComponent(name.replacingOccurrences(of: ".yaml", with: ".expected")).path
        // Update mode compares with the old file first (a new fixture may have none), then rewrites it and
        // fails, so that a regenerating run never passes for a checking one.
        let update = ProcessInfo.processInfo.environment["ALFLOW_UPDATE_FIXTURES"] == "1"
        let expected: String? = update ? (try? String(contentsOfFile: expectedPath, encoding: .utf8))
                                       : try String(contentsOfFile: expectedPath, encoding: .utf8)
        #expect(actual == expected)
        if update {
            try Data(actual.utf8).write(to: URL(fileURLWithPath: expectedPath))
            Issue.record("regenerated \(expectedPath) (\(actual == expected ? "unchanged" : "changed")); review the diff and rerun without ALFLOW_UPDATE_FIXTURES")
        }
        #expect(WorkflowLoader.load(Self.folder.appendingPathComponent(name).path).workflow == nil, "an invalid workflow must not load")
        #expect(actual.contains(": error: "))
    }
}
