import Foundation
import TestSupport
import Testing
import Workflows

@Suite struct SchemaTests {
    static let committed = TestPaths.packageRoot.appendingPathComponent("workflows/workflow.schema.json")

    /// The committed schema is the one generated from the validator's tables
    /// (regenerate with `alflow schema > workflows/workflow.schema.json`).
    @Test func committedSchemaMatchesTheValidator() throws {
        let generated = WorkflowSchema.json + "\n"
        let committed = try String(contentsOf: Self.committed, encoding: .utf8)
        #expect(committed == generated)
        // Update mode: compared above with the old file, rewritten here, and never a pass.
        if ProcessInfo.processInfo.environment["ALFLOW_UPDATE_FIXTURES"] == "1" {
            try Data(generated.utf8).write(to: Self.committed)
            Issue.record("regenerated workflows/workflow.schema.json (\(committed == generated ? "unchanged" : "changed")); review the diff and rerun without ALFLOW_UPDATE_FIXTURES")
        }
    }

    /// Every example workflow passes both the validator and the schema; invalid
    /// fixtures of the kinds a schema can express fail both.
    @Test(.enabled(if: Tools.python("jsonschema", "yaml"), "needs python3 with jsonschema and PyYAML (make test installs them)"))
    func schemaAndValidatorAgreeOnExamples() throws {
        let workflows = try FileManager.default.contentsOfDirectory(atPath: TestPaths.packageRoot.appendingPathComponent("workflows").path)
            .filter { $0.hasSuffix(".yaml") }.map { "workflows/" + $0 }
        let invalid = ["01-unknown-root-key", "05-empty-seeds", "16-test-fraction-too-large", "19-unknown-model",
                       "24-zero-epochs", "26-unknown-optimizer", "37-noise-zero", "42-unknown-strategy-parameter",
                       "43-unknown-metric", "47-wrong-type"].map { "Tests/WorkflowsTests/Fixtures/invalid/\($0).yaml" }
        let script = """
        import json, sys, yaml, jsonschema
        schema = json.load(open(sys.argv[1]))
        for path in sys.argv[2:]:
            try:
                jsonschema.validate(yaml.safe_load(open(path)), schema)
                print(path, "valid")
            except jsonschema.ValidationError as error:
                print(path, "invalid")
        """
        let result = try Subprocess.run("/usr/bin/env", ["python3", "-c", script, Self.committed.path] + workflows + invalid,
                                        directory: TestPaths.packageRoot.path)
        #expect(result.status == 0, "\(result.stderr)")
        let verdicts = Dictionary(uniqueKeysWithValues: result.stdout.split(separator: "\n").map {
            let parts = $0.split(separator: " "); return (String(parts[0]), String(parts[1]))
        })
        for path in workflows {
            #expect(verdicts[path] == "valid", "\(path)")
            #expect(WorkflowLoader.load(TestPaths.packageRoot.appendingPathComponent(path).path).workflow != nil, "\(path)")
        }
        for path in invalid { #expect(verdicts[path] == "invalid", "\(path)") }
    }

    @Test func dagRendersAsDOTAndMermaid() throws {
        let workflow = try #require(try loadWorkflow(try quickstartText(), overrides: ["seeds=[0]", "loop.cycles=3"]).0)
        let plan = Planner.shape(workflow)
        let edgeCount = plan.stages.reduce(0) { $0 + $1.inputs.count }
        try #require(edgeCount > 0)
        // A known edge of the loop: the initial selection feeds the first training.
        let train = try #require(plan.stage("train/seed0/cycle0"))
        #expect(train.inputs.contains("select/seed0/cycle0"), "\(train.inputs)")
        #expect(plan.stage("load") != nil)

        let dot = PlanRendering.render(plan, format: .dot) { _ in "missing" }
        #expect(dot.hasPrefix("digraph \"quickstart\" {"))
        #expect(dot.hasSuffix("}\n"))
        let dotLines = dot.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let dotEdges = dotLines.filter { $0.contains(" -> ") }
        #expect(dotEdges.count == edgeCount)
        #expect(Set(dotEdges) == Set(plan.stages.flatMap { stage in stage.inputs.map { "  \"\($0)\" -> \"\(stage.id)\";" } }))
        #expect(dotEdges.contains("  \"select/seed0/cycle0\" -> \"train/seed0/cycle0\";"))
        // Each node carries its id and status (the label's two lines) and the status's colour.
        #expect(dot.contains("  \"train/seed0/cycle0\" [label=\"train/seed0/cycle0\nmissing\", style=filled, fillcolor=\"#f8f8f8\"];"))
        #expect(dotLines.filter { $0.contains("[label=") }.count == plan.stages.count)

        let mermaid = PlanRendering.render(plan, format: .mermaid) { _ in "cached" }
        #expect(mermaid.hasPrefix("flowchart LR"))
        let mermaidLines = mermaid.split(separator: "\n").map(String.init)
        let mermaidEdges = mermaidLines.filter { $0.contains(" --> ") }
        #expect(mermaidEdges.count == edgeCount)
        // Nodes are s<position in the plan>; every edge joins two declared nodes.
        func node(_ id: String) -> String { "s\(plan.stages.firstIndex { $0.id == id } ?? -1)" }
        #expect(Set(mermaidEdges) == Set(plan.stages.flatMap { stage in stage.inputs.map { "  \(node($0)) --> \(node(stage.id))" } }))
        #expect(mermaidEdges.contains("  \(node("select/seed0/cycle0")) --> \(node("train/seed0/cycle0"))"))
        #expect(mermaid.contains("  \(node("train/seed0/cycle0"))[\"train/seed0/cycle0 · cached\"]"))
        #expect(mermaidLines.filter { $0.contains("[\"") }.count == plan.stages.count)
    }

    @Test(.enabled(if: Tools.exists("/usr/bin/dot"), "needs Graphviz (make test installs it)"))
    func dotOutputRendersWithGraphviz() throws {
        let workflow = try #require(try loadWorkflow(try quickstartText(), overrides: ["seeds=[0]", "loop.cycles=3"]).0)
        let dot = PlanRendering.render(Planner.shape(workflow), format: .dot) { _ in "missing" }
        let dir = try TemporaryDirectory()
        try Data(dot.utf8).write(to: URL(fileURLWithPath: dir.file("plan.dot")))
        let result = try Subprocess.run("/usr/bin/dot", ["-Tsvg", dir.file("plan.dot"), "-o", dir.file("plan.svg")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOfFile: dir.file("plan.svg"), encoding: .utf8).contains("<svg"))
    }
}
