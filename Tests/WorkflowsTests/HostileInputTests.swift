import Foundation
import TestSupport
import Testing
import Workflows

/// Hostile or broken input ends in a diagnostic, never a hang or a crash.
/// The time limits turn a hang into a failure. They are generous: on 2 cores
/// the test pool's threads can be held for minutes by end-to-end tests that
/// wait for their subprocesses, and a limit counts from a test's start.
@Suite(.timeLimit(.minutes(5))) struct HostileInputTests {
    func diagnose(_ bytes: [UInt8]) throws -> [Diagnostic] {
        let dir = try TemporaryDirectory()
        let path = dir.file("hostile.yaml")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let outcome = WorkflowLoader.load(path)
        #expect(outcome.workflow == nil)
        return outcome.diagnostics
    }

    @Test func billionLaughsIsRefused() throws {
        var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            let previous = (0..<9).map { _ in "*a\(level - 1)" }.joined(separator: ", ")
            text += "a\(level): &a\(level) [\(previous)]\n"
        }
        let diagnostics = try diagnose(Array(text.utf8))
        #expect(diagnostics.first?.message.contains("expands to more than") == true)
    }

    @Test func deepNestingIsRefused() throws {
        let diagnostics = try diagnose(Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8))
        #expect(diagnostics.first?.message.contains("nesting deeper than") == true)
        let block = (0..<200).map { String(repeating: "  ", count: $0) + "k\($0):" }.joined(separator: "\n")
        #expect(try diagnose(Array(block.utf8)).first?.message.contains("nesting deeper than") == true)
    }

    @Test func hugeScalarsAndFilesAreRefused() throws {
        let huge = "name: " + String(repeating: "x", count: 5 << 20) + "\n"
        #expect(try diagnose(Array(huge.utf8)).first?.message.contains("limited to") == true)
        let long = "name: " + String(repeating: "x", count: 3 << 20) + "\n"
        #expect(try diagnose(Array(long.utf8)).contains { $0.message.contains("'name'") })
    }

    @Test func binaryGarbageAndEmptyFilesGiveDiagnostics() throws {
        var random = SystemRandomNumberGenerator()
        let garbage = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) }
        #expect(!(try diagnose(garbage)).isEmpty)
        #expect(try diagnose([0x00, 0x01, 0xFF, 0xFE]).first?.message.contains("YAML syntax") == true)
        #expect(try diagnose([]).first?.message == "the workflow file is empty")
        #expect(try diagnose(Array("\u{FEFF}".utf8)).first?.message == "the workflow file is empty")
    }

    @Test func undefinedAliasIsADiagnostic() throws {
        #expect(try diagnose(Array("name: *missing\n".utf8)).first?.message.contains("refers to no anchor") == true)
    }

    /// Random byte edits, truncations and deleted lines of real workflows,
    /// for a bounded number of rounds: every outcome is either a workflow or
    /// a non-empty list of diagnostics; nothing crashes or hangs.
    @Test func mutatedWorkflowsNeverCrash() throws {
        let sources = try ["quickstart.yaml"].map {
            Array(try Data(contentsOf: TestPaths.packageRoot.appendingPathComponent("workflows/\($0)")))
        } + (try FileManager.default.contentsOfDirectory(atPath: FixtureTests.folder.path).filter { $0.hasSuffix(".yaml") }.prefix(20)
            .map { Array(try Data(contentsOf: FixtureTests.folder.appendingPathComponent($0))) })
        var generator = SplitMix(seed: 12345)
        let dir = try TemporaryDirectory()
        let path = dir.file("mutant.yaml")
        var valid = 0, invalid = 0
        for round in 0..<1500 {
            var bytes = sources[round % sources.count]
            switch generator.next() % 4 {
            case 0:   // byte edits
                for _ in 0..<(1 + Int(generator.next() % 4)) where !bytes.isEmpty {
                    bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next())
                }
            case 1:   // truncation
                bytes = Array(bytes.prefix(Int(generator.next() % UInt64(bytes.count + 1))))
            case 2:   // delete a line
                var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                if !lines.isEmpty { lines.remove(at: Int(generator.next() % UInt64(lines.count))) }
                bytes = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
            default:  // duplicate a line
                var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                if !lines.isEmpty { let i = Int(generator.next() % UInt64(lines.count)); lines.insert(lines[i], at: i) }
                bytes = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let outcome = WorkflowLoader.load(path)
            if let workflow = outcome.workflow {
                valid += 1
                #expect(!outcome.diagnostics.contains { $0.severity == .error }, "round \(round): accepted with an error")
                #expect(!Planner.shape(workflow).stages.isEmpty, "round \(round): an accepted workflow plans no stage")
            } else {
                invalid += 1
                #expect(outcome.diagnostics.contains { $0.severity == .error }, "round \(round): rejected without an error")
            }
        }
        #expect(valid + invalid == 1500)
        #expect(valid > 0, "no mutant was accepted: the valid branch never ran")
        #expect(invalid > 0)
    }
}
