import Fingerprints
import Foundation
import Workflows

/// Several workflows side by side (`alflow report A.yaml B.yaml…`): one AUBC
/// table with a column per workflow (its first metric), each strategy's rank
/// in every column (1 is best; equal means share the average rank) and its
/// mean rank over the workflows that have it.
public struct CrossWorkflowReport: Sendable {
    public struct Column: Sendable {
        public let workflow: String
        public let metric: String
        public let aubc: [String: Double]
        public let ranks: [String: Double]
    }

    public let columns: [Column]
    /// Strategies in order of first appearance.
    public let strategies: [String]

    public init(_ summaries: [Summary]) {
        var strategies: [String] = []
        var columns: [Column] = []
        for summary in summaries {
            for strategy in summary.results.strategies where !strategies.contains(strategy) { strategies.append(strategy) }
            guard let metric = summary.results.metrics.first else { continue }
            let higher = Metric(rawValue: metric)?.higherIsBetter ?? true
            let aubc = (summary.areas[metric] ?? [:]).compactMapValues(\.mean)
            columns.append(Column(workflow: summary.results.workflow, metric: metric, aubc: aubc, ranks: Self.ranks(aubc, higherIsBetter: higher)))
        }
        self.columns = columns
        self.strategies = strategies
    }

    /// Ranks with ties sharing the mean of their positions.
    static func ranks(_ values: [String: Double], higherIsBetter: Bool) -> [String: Double] {
        let ordered = values.sorted { higherIsBetter ? $0.value > $1.value : $0.value < $1.value }
        var result: [String: Double] = [:]
        var start = 0
        while start < ordered.count {
            var end = start
            while end + 1 < ordered.count, ordered[end + 1].value == ordered[start].value { end += 1 }
            for index in start...end { result[ordered[index].key] = Double(start + end) / 2 + 1 }
            start = end + 1
        }
        return result
    }

    public func meanRank(_ strategy: String) -> Double? {
        let ranks = columns.compactMap { $0.ranks[strategy] }
        return ranks.isEmpty ? nil : ranks.reduce(0, +) / Double(ranks.count)
    }

    public func render(_ format: TextFormats.Format) -> String {
        func cell(_ column: Column, _ strategy: String) -> String {
            guard let value = column.aubc[strategy], let rank = column.ranks[strategy] else { return "—" }
            return String(format: "%.4f (%g)", value, rank)
        }
        let header = ["strategy"] + columns.map { "\($0.workflow) AUBC \($0.metric) (rank)" } + ["mean rank"]
        let rows = strategies.sorted { (meanRank($0) ?? .infinity) < (meanRank($1) ?? .infinity) }.map { strategy in
            [strategy] + columns.map { cell($0, strategy) } + [meanRank(strategy).map { String(format: "%.2f", $0) } ?? "—"]
        }
        switch format {
        case .table:
            return TextFormats.align([header] + rows) + "\n"
        case .markdown:
            return (["| " + header.joined(separator: " | ") + " |", "|---|" + header.dropFirst().map { _ in "---:" }.joined(separator: "|") + "|"]
                    + rows.map { "| " + $0.joined(separator: " | ") + " |" }).joined(separator: "\n") + "\n"
        case .csv:
            var lines = ["strategy,workflow,metric,aubc,rank"]
            for strategy in strategies {
                for column in columns {
                    guard let value = column.aubc[strategy], let rank = column.ranks[strategy] else { continue }
                    lines.append("\(TextFormats.quoted(strategy)),\(TextFormats.quoted(column.workflow)),\(column.metric),\(value),\(rank)")
                }
            }
            return lines.joined(separator: "\n") + "\n"
        case .json:
            return CanonicalValue.map([
                "workflows": .list(columns.map { column in
                    .map(["workflow": .string(column.workflow), "metric": .string(column.metric),
                          "aubc": .map(column.aubc.mapValues(CanonicalValue.double)), "rank": .map(column.ranks.mapValues(CanonicalValue.double))])
                }),
                "mean_rank": .map(Dictionary(uniqueKeysWithValues: strategies.compactMap { s in meanRank(s).map { (s, CanonicalValue.double($0)) } })),
            ]).json + "\n"
        }
    }
}
