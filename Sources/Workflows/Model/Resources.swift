import Foundation

/// `resources:` — what a cluster job computing a stage asks for, by stage kind
/// (`train: {cpus: 2, memory: 4G, gpus: 0, time: 30m}`), with `default` for the
/// kinds not named. Used only by `--executor slurm`; never part of a key:
/// where a stage runs does not change what it computes.
public struct ResourcesSpec: Sendable, Equatable {
    /// Requests by stage kind name, and "default".
    public var requests: [String: ResourceRequest]

    public init(requests: [String: ResourceRequest] = [:]) { self.requests = requests }

    /// The request for a kind: its own fields, else those of `default`.
    public func request(for kind: StageKind) -> ResourceRequest {
        let own = requests[kind.rawValue] ?? ResourceRequest()
        let fallback = requests["default"] ?? ResourceRequest()
        return ResourceRequest(cpus: own.cpus ?? fallback.cpus, memoryMB: own.memoryMB ?? fallback.memoryMB,
                               gpus: own.gpus ?? fallback.gpus, minutes: own.minutes ?? fallback.minutes)
    }

    /// The keys `resources` accepts.
    public static var kinds: [String] { StageKind.allCases.map(\.rawValue) + ["default"] }
}

/// One job's request; nil fields are left to the cluster's defaults.
public struct ResourceRequest: Sendable, Equatable {
    public var cpus: Int?
    /// Memory in MiB (written `4G`, `512M` or a number of MiB).
    public var memoryMB: Int?
    public var gpus: Int?
    /// Time limit in minutes (written `30m`, `2h`, `1h30m`, `90s`, `1-12:00:00` or `HH:MM:SS`).
    public var minutes: Int?

    public init(cpus: Int? = nil, memoryMB: Int? = nil, gpus: Int? = nil, minutes: Int? = nil) {
        self.cpus = cpus
        self.memoryMB = memoryMB
        self.gpus = gpus
        self.minutes = minutes
    }

    /// One job computing several stages one after another: the largest of
    /// each request, and the sum of the time limits (if every stage has one).
    public static func combined(_ requests: [ResourceRequest]) -> ResourceRequest {
        func largest(_ values: [Int?]) -> Int? { values.compactMap { $0 }.max() }
        let times = requests.map(\.minutes)
        return ResourceRequest(cpus: largest(requests.map(\.cpus)), memoryMB: largest(requests.map(\.memoryMB)),
                               gpus: largest(requests.map(\.gpus)),
                               minutes: times.contains(where: { $0 == nil }) ? nil : times.compactMap { $0 }.reduce(0, +))
    }

    /// `4G`, `512M`, `2T`, `100K` or a plain number of MiB → MiB (rounded up).
    public static func parseMemory(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        let units: [(String, Double)] = [("TB", 1_048_576), ("GB", 1024), ("MB", 1), ("KB", 1.0 / 1024), ("T", 1_048_576), ("G", 1024),
                                         ("M", 1), ("K", 1.0 / 1024)]
        var number = trimmed
        var factor = 1.0
        for (suffix, value) in units where trimmed.hasSuffix(suffix) {
            number = String(trimmed.dropLast(suffix.count)).trimmingCharacters(in: .whitespaces)
            factor = value
            break
        }
        guard let amount = Double(number), amount > 0, amount.isFinite else { return nil }
        let mib = (amount * factor).rounded(.up)
        return mib >= 1 && mib < 1e12 ? Int(mib) : nil
    }

    /// `30m`, `2h`, `1h30m`, `90s`, `45` (minutes), `HH:MM:SS`, `MM:SS`, `D-HH:MM:SS` → minutes (rounded up).
    public static func parseTime(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        // Short numbers only, so that no product below can overflow.
        guard !trimmed.isEmpty, trimmed.count <= 24, !trimmed.split(whereSeparator: { !$0.isNumber }).contains(where: { $0.count > 7 }) else {
            return nil
        }
        var seconds = 0
        if trimmed.contains(":") || trimmed.contains("-") {
            var days = 0
            var clock = Substring(trimmed)
            if let dash = trimmed.firstIndex(of: "-") {
                guard let value = Int(trimmed[..<dash]), value >= 0 else { return nil }
                days = value
                clock = trimmed[trimmed.index(after: dash)...]
            }
            let parts = clock.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
            guard !parts.isEmpty, parts.count <= 3, parts.allSatisfy({ ($0 ?? -1) >= 0 }) else { return nil }
            let values = parts.compactMap { $0 }
            switch values.count {
            case 3: seconds = values[0] * 3600 + values[1] * 60 + values[2]
            case 2: seconds = trimmed.contains("-") ? values[0] * 3600 + values[1] * 60 : values[0] * 60 + values[1]
            default: seconds = trimmed.contains("-") ? values[0] * 3600 : values[0] * 60
            }
            seconds += days * 86400
        } else if let minutes = Int(trimmed) {
            seconds = minutes * 60
        } else {
            var number = ""
            var any = false
            for character in trimmed {
                if character.isNumber { number.append(character); continue }
                let unit: Int
                switch character {
                case "d": unit = 86400
                case "h": unit = 3600
                case "m": unit = 60
                case "s": unit = 1
                default: return nil
                }
                guard let value = Int(number) else { return nil }
                seconds += value * unit
                number = ""
                any = true
            }
            guard any, number.isEmpty else { return nil }
        }
        guard seconds > 0, seconds < 366 * 86400 else { return nil }
        return (seconds + 59) / 60
    }
}
