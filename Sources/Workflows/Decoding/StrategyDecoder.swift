import Suggestions

/// Decodes one entry of `strategies`: either a strategy by its own name
/// (`entropy: {}`) or a named variant of one (`ns_small: {noise_stability: {noise: 0.0001}}`).
struct StrategyDecoder {
    let bag: DiagnosticBag

    static var kindNames: [String] { StrategyKind.allCases.map(\.rawValue) }

    func decode(name: String, _ value: YAMLNode, at location: SourceLocation, task: TaskKind?, model: ModelSpec?) -> StrategySpec? {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
            bag.error(location, "strategy name '\(name)' may use letters, digits, '_' and '-' only (it appears in stage ids)")
            return nil
        }
        let kind: StrategyKind
        let parameters: YAMLNode
        if let direct = StrategyKind(rawValue: name) {
            kind = direct
            parameters = value
        } else {
            guard let (variantKind, node) = variant(name, value, at: location) else { return nil }
            kind = variantKind
            parameters = node
        }
        guard let resolved = decodeParameters(kind, parameters, path: "strategies.\(name)", model: model, anchor: location) else { return nil }
        if task == .regression, !kind.supportsRegression {
            let usable = StrategyKind.allCases.filter(\.supportsRegression).map(\.rawValue)
            bag.error(location, "strategy '\(kind.rawValue)' needs class probabilities and does not apply to a regression task",
                      hint: "for regression use " + usable.dropLast().joined(separator: ", ") + (usable.last.map { " or " + $0 } ?? ""))
            return nil
        }
        let values = StrategyParameters(resolved)
        let context = StrategyContext(isClassification: task != .regression, modelHasDropoutLayers: model?.kind != .linear)
        let problems = kind.declaration.problems(values, context)
        for problem in problems { bag.error(location, problem.message, hint: problem.hint) }
        guard problems.isEmpty else { return nil }
        return StrategySpec(name: name, kind: kind, parameters: values, location: location)
    }

    /// `name: {kind: {params}}` → (kind, params).
    private func variant(_ name: String, _ value: YAMLNode, at location: SourceLocation) -> (StrategyKind, YAMLNode)? {
        let suggestion = Suggestion.closest(to: name, among: Self.kindNames)
        guard case .mapping(let entries) = value.content, !entries.isEmpty else {
            bag.error(location, "unknown strategy '\(name)'",
                      hint: suggestion.map { "did you mean '\($0)'?" }
                        ?? "a variant names its strategy, e.g. \(name): {noise_stability: {noise: 0.0001}}")
            return nil
        }
        let kinds = entries.filter { $0.key.scalar.flatMap(StrategyKind.init(rawValue:)) != nil }
        if kinds.count > 1 {
            bag.error(kinds[1].key.location, "variant '\(name)' names two strategies at once, '\(kinds[0].key.scalar ?? "")' and '\(kinds[1].key.scalar ?? "")'",
                      hint: "give each variant its own name")
            return nil
        }
        guard let (key, node) = kinds.first.map({ ($0.key, $0.value) }), let kind = key.scalar.flatMap(StrategyKind.init(rawValue:)) else {
            let inner = entries[0].key.scalar ?? ""
            let closeInner = Suggestion.closest(to: inner, among: Self.kindNames)
            bag.error(entries[0].key.location,
                      closeInner != nil ? "unknown strategy '\(inner)' in variant '\(name)'" : "unknown strategy '\(name)'",
                      hint: (closeInner ?? suggestion).map { "did you mean '\($0)'?" }
                        ?? "a variant names its strategy, e.g. \(name): {noise_stability: {noise: 0.0001}}")
            return nil
        }
        if entries.count > 1, let extra = entries.first(where: { $0.key.scalar != key.scalar }) {
            bag.error(extra.key.location, "variant '\(name)' holds '\(extra.key.scalar ?? "")' beside its strategy; parameters go inside",
                      hint: "\(name): {\(kind.rawValue): {\(extra.key.scalar ?? ""): …}}")
            return nil
        }
        return (kind, node)
    }

    private func decodeParameters(_ kind: StrategyKind, _ node: YAMLNode, path: String, model: ModelSpec?,
                                  anchor: SourceLocation) -> [String: StrategyParameterValue]? {
        guard let reader = MappingReader(node, path: path, bag: bag, anchor: anchor) else { return nil }
        var result: [String: StrategyParameterValue] = [:]
        var valid = true
        for parameter in kind.parameters {
            let value: StrategyParameterValue?
            let defaultValue = parameter.resolvedDefault(modelDropout: model?.dropout ?? 0)
            switch parameter.kind {
            case .int(let range):
                let fallback: Int? = { if case .int(let v) = defaultValue { return v } else { return nil } }()
                value = reader.int(parameter.name, default: fallback, range: range).map { .int($0.value) }
            case .double(let above, let atLeast, let below):
                let fallback: Double? = { if case .double(let v) = defaultValue { return v } else { return nil } }()
                value = reader.double(parameter.name, default: fallback, above: above, atLeast: atLeast, below: below).map { .double($0.value) }
            case .choice(let choices):
                let fallback: String? = { if case .text(let v) = defaultValue { return v } else { return nil } }()
                value = reader.choice(parameter.name, choices, default: fallback).map { .text($0.value) }
            case .doubleOrAuto:
                if let node = reader.value(parameter.name), !node.isNull {
                    if node.scalar == "auto" {
                        value = .automatic
                    } else {
                        value = Scalars.double(node, "\(path).\(parameter.name)", bag: bag).flatMap { number in
                            guard number > 0 else {
                                bag.error(node.location, "'\(path).\(parameter.name)' must be greater than 0 or auto, found \(Scalars.format(number))")
                                return nil
                            }
                            return .double(number)
                        }
                    }
                } else {
                    value = defaultValue
                }
            }
            if let value { result[parameter.name] = value } else { valid = false }
        }
        let known = kind.parameters.map(\.name)
        if known.isEmpty {
            for key in reader.keys {
                _ = reader.value(key)
                bag.error(reader.keyLocation(key) ?? reader.location, "strategy '\(kind.rawValue)' takes no parameters, found '\(key)'")
                valid = false
            }
        } else {
            reader.finish(known: known)
        }
        return valid ? result : nil
    }
}
