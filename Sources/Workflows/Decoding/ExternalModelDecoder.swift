import Foundation

/// `model: {external: {command, sources, device, environment, timeout, worker}}`.
/// Whether the command runs and what the model supports is checked later,
/// by asking it (`describe`), before planning.
struct ExternalModelDecoder {
    let folder: String
    let bag: DiagnosticBag

    static let keys = ["command", "sources", "device", "environment", "timeout", "worker"]

    func decode(_ node: YAMLNode, anchor: SourceLocation?) -> ExternalModelSpec? {
        guard let reader = MappingReader(node, path: "model.external", bag: bag, anchor: anchor) else { return nil }
        var command: Located<[String]>?
        if reader.required("command", "the model's command, e.g. [python3, models/smallnet.py]") != nil {
            command = reader.stringList("command")
            if let given = command, given.value.isEmpty || given.value.contains(where: \.isEmpty) {
                bag.error(given.location ?? reader.location, "'model.external.command' must name a program, e.g. [python3, models/smallnet.py]")
                command = nil
            }
        }
        let sources = reader.stringList("sources")
        let device = reader.choice("device", as: ExternalModelSpec.Device.self, default: .auto)
        let environment = reader.choice("environment", as: ExternalModelSpec.EnvironmentPolicy.self, default: .versions)
        let timeout = duration(reader, "timeout", default: 24 * 3600)
        let worker = reader.choice("worker", as: ExternalModelSpec.WorkerMode.self, default: .persistent)
        reader.finish(known: Self.keys)
        guard let command, let sources, let device, let environment, let timeout, let worker else { return nil }
        return ExternalModelSpec(command: command, sources: sources, device: device, environment: environment, timeout: timeout,
                                 worker: worker, directory: folder)
    }

    /// Seconds, written as a number of seconds or with a unit: `90s`, `30m`, `2h`, `1d`.
    private func duration(_ reader: MappingReader, _ key: String, default fallback: Double) -> Located<Double>? {
        guard let node = reader.value(key) else { return Located(fallback, at: nil) }
        let path = "\(reader.path).\(key)"
        guard let text = node.scalar, node.isPlainScalar, let seconds = Self.seconds(text), seconds > 0 else {
            bag.error(node.location, "'\(path)' must be a positive duration such as 90s, 30m, 2h or 1d, found \(Scalars.describe(node))")
            return nil
        }
        return Located(seconds, at: node.location)
    }

    static func seconds(_ text: String) -> Double? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        if let last = text.last, let unit = units[last] { return Double(text.dropLast()).map { $0 * unit } }
        return Double(text)
    }
}
