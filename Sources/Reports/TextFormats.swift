import Foundation
import Fingerprints
import Workflows

/// The report as a terminal table, CSV, JSON or Markdown.
public enum TextFormats {
    public enum Format: String, CaseIterable, Sendable { case table, csv, json, markdown }

    public static func render(_ summary: Summary, format: Format) -> String {
        switch format {
        case .table: return table(summary)
        case .csv: return csv(summary.results)
        case .json: return json(summary)
        case .markdown: return markdown(summary)
        }
    }

    /// One row per measurement, sorted, `strategy,seed,cycle,labeled,metric,value`;
    /// values in their shortest exact form, so identical results give identical bytes.
    public static func csv(_ results: ResultSet) -> String {
        var lines = ["strategy,seed,cycle,labeled,metric,value"]
        for row in results.rows {
            lines.append("\(quoted(row.strategy)),\(row.seed),\(row.cycle),\(row.labeled),\(row.metric),\(row.value)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `metric,strategy,reference,mean,low,high,wins,ties,losses`: the paired comparisons.
    public static func pairedCSV(_ summary: Summary) -> String {
        var lines = ["metric,strategy,reference,mean,low,high,wins,ties,losses"]
        for metric in summary.results.metrics {
            for c in summary.comparisons(metric) {
                lines.append("\(metric),\(quoted(c.strategy)),\(quoted(c.reference)),\(c.mean),\(c.low),\(c.high),\(c.wins),\(c.ties),\(c.losses)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `metric,row,column,wins`: the pairwise matrix.
    public static func pairwiseCSV(_ summary: Summary) -> String {
        var lines = ["metric,row,column,wins"]
        let strategies = summary.results.strategies
        for metric in summary.results.metrics {
            for (row, values) in summary.pairwise(metric).enumerated() {
                for (column, wins) in values.enumerated() where row != column {
                    lines.append("\(metric),\(quoted(strategies[row])),\(quoted(strategies[column])),\(wins)")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func quoted(_ field: String) -> String {
        field.contains(",") || field.contains("\"") ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
    }

    static func cell(_ point: Summary.Point?) -> String {
        guard let point else { return "—" }
        return String(format: "%.4f ± %.4f", point.mean, point.std)
    }

    static func area(_ area: Summary.Area?) -> String {
        guard let area, let mean = area.mean else { return "incomplete" }
        return String(format: "%.4f ± %.4f", mean, area.std ?? 0)
    }

    static func sizes(_ summary: Summary, _ metric: String) -> [Int] {
        Array(Set(summary.curves[metric]?.values.flatMap { $0.map(\.labeled) } ?? [])).sorted()
    }

    /// An aligned terminal table per metric, then the AUBC table (best marked ★).
    static func table(_ summary: Summary) -> String {
        let results = summary.results
        var out: [String] = []
        for metric in results.metrics {
            out.append("\(metric) (mean ± std over \(results.seeds.count) seed\(results.seeds.count == 1 ? "" : "s")):")
            var grid = [["labeled"] + results.strategies]
            for size in sizes(summary, metric) {
                grid.append([String(size)] + results.strategies.map { s in cell(summary.curves[metric]?[s]?.first { $0.labeled == size }) })
            }
            out.append(align(grid))
            let best = summary.best(metric)
            var areas = [["strategy", "AUBC (\(metric))", "per seed"]]
            for strategy in results.strategies {
                let area = summary.areas[metric]?[strategy]
                let seeds = results.seeds.map { seed in area?.perSeed[seed].map { String(format: "%.4f", $0) } ?? "—" }.joined(separator: " ")
                areas.append([(strategy == best ? "★ " : "  ") + strategy, self.area(area), seeds])
            }
            out.append(align(areas))
            out += pairedTable(summary, metric)
        }
        if !results.missing.isEmpty {
            out.append("incomplete: \(results.missing.count) of \(results.missing.count + Set(results.rows.map { "\($0.strategy)/\($0.seed)/\($0.cycle)" }).count) measurements are missing (run the workflow to compute them)")
        }
        return out.joined(separator: "\n\n") + "\n"
    }

    /// The paired comparisons against the reference, the tie verdict and the pairwise matrix.
    static func pairedTable(_ summary: Summary, _ metric: String) -> [String] {
        let comparisons = summary.comparisons(metric)
        guard let reference = summary.reference, !comparisons.isEmpty else { return [] }
        var out: [String] = []
        var grid = [["vs \(reference)", "mean Δ AUBC", "95% CI", "wins/ties/losses"]]
        for c in comparisons {
            grid.append([c.strategy, String(format: "%+.4f", c.mean), String(format: "[%+.4f, %+.4f]", c.low, c.high), "\(c.wins)/\(c.ties)/\(c.losses)"])
        }
        out.append("paired over seeds (Δ > 0: better than \(reference); bootstrap CI of the mean):\n" + align(grid))
        let tied = summary.tied(metric)
        if !tied.isEmpty { out.append("no strategy is ahead of every other with 95% confidence; statistically tied: " + tied.joined(separator: ", ")) }
        let matrix = summary.pairwise(metric)
        var pairs = [["wins of row over column"] + summary.results.strategies]
        for (index, strategy) in summary.results.strategies.enumerated() {
            pairs.append([strategy] + matrix[index].enumerated().map { $0.offset == index ? "—" : String($0.element) })
        }
        out.append("pairwise (labelled-set sizes where a paired t-test, α = 0.05, finds the row better):\n" + align(pairs))
        for target in summary.targets {
            let reach = summary.reach(metric, target: target)
            let base = reach[reference]?.mean
            var rows = [["\(metric) \(Metric(rawValue: metric)?.higherIsBetter ?? true ? "≥" : "≤") \(target)", "labels to reach", "seeds reaching", "saved vs \(reference)"]]
            for strategy in summary.results.strategies {
                let r = reach[strategy]
                let saved = zip2(base, r?.mean).map { String(format: "%+.1f", $0 - $1) } ?? "—"
                rows.append([strategy, r?.mean.map { String(format: "%.1f", $0) } ?? "not reached", "\(r?.reached ?? 0)/\(r?.seeds ?? 0)", saved])
            }
            out.append(align(rows))
        }
        return out
    }

    static func zip2(_ a: Double?, _ b: Double?) -> (Double, Double)? {
        guard let a, let b else { return nil }
        return (a, b)
    }

    static func align(_ grid: [[String]]) -> String {
        let widths = (0..<(grid.first?.count ?? 0)).map { column in grid.map { $0[column].count }.max() ?? 0 }
        return grid.enumerated().map { index, row in
            let line = row.enumerated().map { column, text in
                column == 0 ? text.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                            : String(repeating: " ", count: widths[column] - text.count) + text
            }.joined(separator: "  ")
            return index == 0 ? line + "\n" + String(repeating: "-", count: line.count) : line
        }.joined(separator: "\n")
    }

    static func markdown(_ summary: Summary) -> String {
        let results = summary.results
        var out: [String] = []
        for metric in results.metrics {
            out.append("**\(metric)** (mean ± std over \(results.seeds.count) seeds)\n")
            out.append("| labeled | " + results.strategies.joined(separator: " | ") + " |")
            out.append("|---:|" + results.strategies.map { _ in "---:" }.joined(separator: "|") + "|")
            for size in sizes(summary, metric) {
                out.append("| \(size) | " + results.strategies.map { s in cell(summary.curves[metric]?[s]?.first { $0.labeled == size }) }.joined(separator: " | ") + " |")
            }
            out.append("")
            let best = summary.best(metric)
            out.append("| strategy | AUBC (\(metric)) |")
            out.append("|---|---:|")
            for strategy in results.strategies {
                let name = strategy == best ? "**\(strategy)**" : strategy
                out.append("| \(name) | \(area(summary.areas[metric]?[strategy])) |")
            }
            out.append("")
            if let reference = summary.reference, !summary.comparisons(metric).isEmpty {
                out.append("| vs \(reference) | mean Δ AUBC | 95% CI | wins/ties/losses |")
                out.append("|---|---:|---:|---:|")
                for c in summary.comparisons(metric) {
                    out.append("| \(c.strategy) | \(String(format: "%+.4f", c.mean)) | \(String(format: "[%+.4f, %+.4f]", c.low, c.high)) | \(c.wins)/\(c.ties)/\(c.losses) |")
                }
                out.append("")
                let tied = summary.tied(metric)
                if !tied.isEmpty { out.append("_Statistically tied (95% paired bootstrap): \(tied.joined(separator: ", "))._\n") }
                let matrix = summary.pairwise(metric)
                out.append("| wins of row over column | " + results.strategies.joined(separator: " | ") + " |")
                out.append("|---|" + results.strategies.map { _ in "---:" }.joined(separator: "|") + "|")
                for (index, strategy) in results.strategies.enumerated() {
                    out.append("| \(strategy) | " + matrix[index].enumerated().map { $0.offset == index ? "—" : String($0.element) }.joined(separator: " | ") + " |")
                }
                out.append("")
            }
        }
        if !results.missing.isEmpty { out.append("_Incomplete: \(results.missing.count) measurements are missing._\n") }
        return out.joined(separator: "\n")
    }

    static func json(_ summary: Summary) -> String {
        let results = summary.results
        func number(_ value: Double?) -> CanonicalValue { value.map { $0.isFinite ? .double($0) : .null } ?? .null }
        var curves: [String: CanonicalValue] = [:]
        var areas: [String: CanonicalValue] = [:]
        for metric in results.metrics {
            var byStrategy: [String: CanonicalValue] = [:]
            var areaByStrategy: [String: CanonicalValue] = [:]
            for strategy in results.strategies {
                byStrategy[strategy] = .list((summary.curves[metric]?[strategy] ?? []).map {
                    .map(["labeled": .int($0.labeled), "mean": number($0.mean), "std": number($0.std), "n": .int($0.count)])
                })
                let area = summary.areas[metric]?[strategy]
                areaByStrategy[strategy] = .map([
                    "mean": number(area?.mean), "std": number(area?.std),
                    "seeds": .map(Dictionary(uniqueKeysWithValues: (area?.perSeed ?? [:]).map { (String($0.key), .double($0.value)) })),
                ])
            }
            curves[metric] = .map(byStrategy)
            areas[metric] = .map(areaByStrategy)
        }
        let document = CanonicalValue.map([
            "workflow": .string(results.workflow),
            "description": results.description.map(CanonicalValue.string) ?? .null,
            "strategies": .list(results.strategies.map(CanonicalValue.string)),
            "seeds": .list(results.seeds.map { .integer(Int64($0)) }),
            "metrics": .list(results.metrics.map(CanonicalValue.string)),
            "rows": .list(results.rows.map {
                .map(["strategy": .string($0.strategy), "seed": .integer(Int64($0.seed)), "cycle": .int($0.cycle),
                      "labeled": .int($0.labeled), "metric": .string($0.metric), "value": .double($0.value), "key": .string($0.key)])
            }),
            "curves": .map(curves),
            "aubc": .map(areas),
            "best": .map(Dictionary(uniqueKeysWithValues: results.metrics.compactMap { m in summary.best(m).map { (m, CanonicalValue.string($0)) } })),
            "tied": .map(Dictionary(uniqueKeysWithValues: results.metrics.map { m in (m, CanonicalValue.list(summary.tied(m).map(CanonicalValue.string))) })),
            "paired": .map(Dictionary(uniqueKeysWithValues: results.metrics.map { m in
                (m, CanonicalValue.list(summary.comparisons(m).map { c in
                    .map(["strategy": .string(c.strategy), "reference": .string(c.reference), "mean": number(c.mean), "low": number(c.low),
                          "high": number(c.high), "wins": .int(c.wins), "ties": .int(c.ties), "losses": .int(c.losses),
                          "differences": .list(c.differences.map(CanonicalValue.double))])
                }))
            })),
            "reach": .map(Dictionary(uniqueKeysWithValues: results.metrics.map { m in
                (m, CanonicalValue.list(summary.targets.map { target in
                    .map(["target": .double(target), "strategies": .map(summary.reach(m, target: target).mapValues { r in
                        .map(["mean": number(r.mean), "reached": .int(r.reached), "seeds": .int(r.seeds)])
                    })])
                }))
            })),
            "pairwise": .map(Dictionary(uniqueKeysWithValues: results.metrics.map { m in
                (m, CanonicalValue.list(summary.pairwise(m).map { .list($0.map(CanonicalValue.int)) }))
            })),
            "missing": .list(results.missing.map {
                .map(["strategy": .string($0.strategy), "seed": .integer(Int64($0.seed)), "cycle": .int($0.cycle), "stage": .string($0.stage)])
            }),
            "compute_seconds": .map(results.computeSeconds.mapValues { .map($0.mapValues(CanonicalValue.double)) }),
        ])
        return document.json + "\n"
    }
}
