import Foundation
import Suggestions

/// Conversion of YAML scalars to typed values, with the errors a user sees.
enum Scalars {
    static func describe(_ node: YAMLNode) -> String {
        if let text = node.scalar, !node.isNull { return "'\(text.count > 40 ? String(text.prefix(40)) + "…" : text)'" }
        return node.kindDescription
    }

    static func int(_ node: YAMLNode, _ path: String, bag: DiagnosticBag, range: ClosedRange<Int>?) -> Int? {
        guard let text = node.scalar, node.isPlainScalar, let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
            bag.error(node.location, "'\(path)' must be a whole number, found \(describe(node))")
            return nil
        }
        if let range, !range.contains(value) {
            let expectation = range.upperBound == Int.max ? "at least \(range.lowerBound)" : "between \(range.lowerBound) and \(range.upperBound)"
            bag.error(node.location, "'\(path)' must be \(expectation), found \(value)")
            return nil
        }
        return value
    }

    static func double(_ node: YAMLNode, _ path: String, bag: DiagnosticBag) -> Double? {
        guard let text = node.scalar, node.isPlainScalar, let value = Double(text.replacingOccurrences(of: "_", with: "")),
              value.isFinite else {
            bag.error(node.location, "'\(path)' must be a number, found \(describe(node))")
            return nil
        }
        return value
    }

    static func string(_ node: YAMLNode, _ path: String, bag: DiagnosticBag) -> String? {
        guard let text = node.scalar, !node.isNull else {
            bag.error(node.location, "'\(path)' must be text, found \(node.kindDescription)")
            return nil
        }
        return text
    }

    static func bool(_ node: YAMLNode, _ path: String, bag: DiagnosticBag) -> Bool? {
        switch node.isPlainScalar ? node.scalar : nil {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default:
            bag.error(node.location, "'\(path)' must be true or false, found \(describe(node))")
            return nil
        }
    }

    static func choice(_ node: YAMLNode, _ path: String, _ choices: [String], bag: DiagnosticBag) -> String? {
        guard let text = node.scalar, !node.isNull else {
            bag.error(node.location, "'\(path)' must be one of \(choices.joined(separator: ", ")), found \(node.kindDescription)")
            return nil
        }
        guard choices.contains(text) else {
            let hint = Suggestion.closest(to: text, among: choices).map { "did you mean '\($0)'?" }
            bag.error(node.location, "'\(path)' must be one of \(choices.joined(separator: ", ")), found '\(text)'", hint: hint)
            return nil
        }
        return text
    }

    static func list(_ node: YAMLNode, _ path: String, bag: DiagnosticBag) -> [YAMLNode]? {
        guard case .sequence(let items) = node.content else {
            bag.error(node.location, "'\(path)' must be a list, found \(describe(node))", hint: "write [a, b] or one '- item' per line")
            return nil
        }
        return items
    }

    /// Shortest decimal form of a number for messages.
    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
    }
}
