/// `resources: {train: {cpus: 2, memory: 4G, gpus: 0, time: 30m}, default: {…}}`:
/// per stage kind, what a cluster job asks for (see `ResourcesSpec`).
struct ResourcesDecoder {
    let bag: DiagnosticBag

    static let fields = ["cpus", "memory", "gpus", "time"]

    func decode(_ node: YAMLNode?, anchor: SourceLocation?) -> ResourcesSpec? {
        guard let node else { return ResourcesSpec() }
        guard let reader = MappingReader(node, path: "resources", bag: bag, anchor: anchor) else { return nil }
        var spec = ResourcesSpec()
        var valid = true
        for kind in reader.keys where ResourcesSpec.kinds.contains(kind) {
            guard let value = reader.value(kind) else { continue }
            if let request = decodeRequest(value, path: "resources.\(kind)", anchor: reader.keyLocation(kind)) {
                spec.requests[kind] = request
            } else {
                valid = false
            }
        }
        reader.finish(known: ResourcesSpec.kinds)
        return valid ? spec : nil
    }

    private func decodeRequest(_ node: YAMLNode, path: String, anchor: SourceLocation?) -> ResourceRequest? {
        guard let reader = MappingReader(node, path: path, bag: bag, anchor: anchor) else { return nil }
        let cpus = reader.int("cpus", range: 1...100_000)
        let gpus = reader.int("gpus", range: 0...1_000)
        var request = ResourceRequest(cpus: cpus?.value, gpus: gpus?.value)
        var valid = (cpus != nil || !reader.has("cpus")) && (gpus != nil || !reader.has("gpus"))
        if let memory = reader.value("memory") {
            if let text = memory.scalar, !memory.isNull, let mib = ResourceRequest.parseMemory(text) {
                request.memoryMB = mib
            } else {
                bag.error(memory.location, "'\(path).memory' must be an amount of memory such as 4G or 512M, found \(Scalars.describe(memory))")
                valid = false
            }
        }
        if let time = reader.value("time") {
            if let text = time.scalar, !time.isNull, let minutes = ResourceRequest.parseTime(text) {
                request.minutes = minutes
            } else {
                bag.error(time.location, "'\(path).time' must be a duration such as 30m, 2h, 1h30m or 01:30:00, found \(Scalars.describe(time))")
                valid = false
            }
        }
        reader.finish(known: Self.fields)
        return valid ? request : nil
    }
}
