import ArtifactStore
import Workflows

/// Every measurement of a workflow found in the store, and what is missing.
public struct ResultSet: Sendable {
    public struct Row: Sendable, Equatable {
        public let strategy: String
        public let seed: UInt64
        public let cycle: Int
        public let labeled: Int
        public let metric: String
        public let value: Double
        /// Key of the evaluate object the value comes from.
        public let key: String

        public init(strategy: String, seed: UInt64, cycle: Int, labeled: Int, metric: String, value: Double, key: String) {
            self.strategy = strategy
            self.seed = seed
            self.cycle = cycle
            self.labeled = labeled
            self.metric = metric
            self.value = value
            self.key = key
        }
    }

    public struct Missing: Sendable, Equatable {
        public let strategy: String
        public let seed: UInt64
        public let cycle: Int
        public let stage: String

        public init(strategy: String, seed: UInt64, cycle: Int, stage: String) {
            self.strategy = strategy
            self.seed = seed
            self.cycle = cycle
            self.stage = stage
        }
    }

    public let workflow: String
    public let description: String?
    public let strategies: [String]
    public let seeds: [UInt64]
    public let metrics: [String]
    public let rows: [Row]
    public let missing: [Missing]
    /// Seconds of computation per strategy and stage kind ("shared" for
    /// stages every strategy uses), from the stored objects.
    public let computeSeconds: [String: [String: Double]]

    public init(workflow: String, description: String?, strategies: [String], seeds: [UInt64], metrics: [String],
                rows: [Row], missing: [Missing], computeSeconds: [String: [String: Double]]) {
        self.workflow = workflow
        self.description = description
        self.strategies = strategies
        self.seeds = seeds
        self.metrics = metrics
        self.rows = rows
        self.missing = missing
        self.computeSeconds = computeSeconds
    }

    /// Reads the evaluate objects of `plan` (verified; damaged ones count as missing).
    public static func collect(plan: Plan, store: ArtifactStore) -> ResultSet {
        let workflow = plan.workflow
        let metrics = workflow.metrics.value.map(\.rawValue)
        let order = Dictionary(uniqueKeysWithValues: workflow.strategies.enumerated().map { ($1.name, $0) })
        var rows: [Row] = []
        var missing: [Missing] = []
        for measurement in plan.measurements {
            guard let stage = plan.stage(measurement.stageID), let artifact = store.peek(stage.digest) else {
                missing.append(Missing(strategy: measurement.strategy, seed: measurement.seed, cycle: measurement.cycle,
                                       stage: measurement.stageID))
                continue
            }
            for metric in metrics {
                guard let value = artifact.values(Metric(rawValue: metric)?.arrayPath ?? "metrics/" + metric, as: Double.self)?.first else { continue }
                rows.append(Row(strategy: measurement.strategy, seed: measurement.seed, cycle: measurement.cycle,
                                labeled: measurement.labeled, metric: metric, value: value, key: stage.digest))
            }
        }
        let metricOrder = Dictionary(uniqueKeysWithValues: metrics.enumerated().map { ($1, $0) })
        rows.sort { a, b in
            (order[a.strategy] ?? 0, a.seed, a.cycle, metricOrder[a.metric] ?? 0) < (order[b.strategy] ?? 0, b.seed, b.cycle, metricOrder[b.metric] ?? 0)
        }
        var seconds: [String: [String: Double]] = [:]
        for stage in plan.stages {
            guard let header = store.header(stage.digest) else { continue }
            let owner = stage.strategies.count == 1 ? stage.strategies[0] : "shared"
            seconds[owner, default: [:]][stage.kind.rawValue, default: 0] += header.computeSeconds
        }
        return ResultSet(workflow: workflow.name.value, description: workflow.description, strategies: workflow.strategies.map(\.name),
                         seeds: workflow.seeds.value, metrics: metrics, rows: rows, missing: missing, computeSeconds: seconds)
    }

    public var isComplete: Bool { missing.isEmpty }
}
