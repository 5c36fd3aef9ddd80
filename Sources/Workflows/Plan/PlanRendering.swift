/// Text forms of a plan for `alflow dag`: an indented list, Graphviz DOT and
/// Mermaid. `state` labels each stage (e.g. cached / missing).
public enum PlanRendering {
    public enum Format: String, CaseIterable, Sendable { case text, dot, mermaid }

    public static func render(_ plan: Plan, format: Format, state: (PlannedStage) -> String) -> String {
        switch format {
        case .text: return text(plan, state)
        case .dot: return dot(plan, state)
        case .mermaid: return mermaid(plan, state)
        }
    }

    static func text(_ plan: Plan, _ state: (PlannedStage) -> String) -> String {
        let width = plan.stages.map(\.id.count).max() ?? 0
        var lines = ["\(plan.workflow.name.value): \(plan.stages.count) stages"]
        for stage in plan.stages {
            let padded = stage.id.padding(toLength: width, withPad: " ", startingAt: 0)
            let inputs = stage.inputs.isEmpty ? "" : "  ← " + stage.inputs.joined(separator: ", ")
            lines.append("  [\(state(stage))] \(padded)  \(stage.digest.prefix(12))\(inputs)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func dot(_ plan: Plan, _ state: (PlannedStage) -> String) -> String {
        var lines = ["digraph \(quoted(plan.workflow.name.value)) {", "  rankdir=LR;", "  node [shape=box, fontname=\"Helvetica\", fontsize=10];"]
        for stage in plan.stages {
            let status = state(stage)
            let colour = status == "cached" ? "#d9f2d9" : status == "missing" ? "#f8f8f8" : "#ffe0b3"
            lines.append("  \(quoted(stage.id)) [label=\(quoted("\(stage.id)\n\(status)")), style=filled, fillcolor=\(quoted(colour))];")
        }
        for stage in plan.stages {
            for input in stage.inputs { lines.append("  \(quoted(input)) -> \(quoted(stage.id));") }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    static func mermaid(_ plan: Plan, _ state: (PlannedStage) -> String) -> String {
        var names: [String: String] = [:]
        for (index, stage) in plan.stages.enumerated() { names[stage.id] = "s\(index)" }
        var lines = ["flowchart LR"]
        for stage in plan.stages {
            let label = "\(stage.id) · \(state(stage))".replacingOccurrences(of: "\"", with: "'")
            lines.append("  \(names[stage.id] ?? "s")[\"\(label)\"]")
        }
        for stage in plan.stages {
            for input in stage.inputs { lines.append("  \(names[input] ?? input) --> \(names[stage.id] ?? stage.id)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
