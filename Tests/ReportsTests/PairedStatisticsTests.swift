import Foundation
import Reports
import TestSupport
import Testing

/// The paired statistics against reference computations: scipy's paired
/// t-test and an exhaustive numpy bootstrap, to 1e-9.
@Suite struct PairedStatisticsTests {
    static let cases: [[Double]] = [
        [0.012, 0.007, 0.015], [0.01, -0.004, 0.02, 0.003], [-0.02, -0.01, 0.005, -0.015, -0.007],
        [0.3, 0.1, 0.2, 0.25, 0.12, 0.18], [0.001, -0.001, 0.002, 0.0005, -0.0002, 0.0011, 0.0007, -0.0003, 0.0001, 0.0009],
    ]

    static func python(_ script: String) throws -> [[Double]] {
        let result = try Subprocess.run("/usr/bin/env", ["python3", "-c", script])
        try #require(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[Double]])
    }

    @Test(.enabled(if: Tools.python("scipy", "numpy"), "needs scipy (make test installs numpy; scipy ships with it here)"))
    func pairedTTestMatchesSciPy() throws {
        let literal = Self.cases.map { "[" + $0.map { String($0) }.joined(separator: ",") + "]" }.joined(separator: ",")
        let reference = try Self.python("""
        import json, numpy as np
        from scipy import stats
        out = []
        for d in [\(literal)]:
            r = stats.ttest_rel(np.array(d), np.zeros(len(d)))
            out.append([float(r.statistic), float(r.pvalue)])
        print(json.dumps(out))
        """)
        for (d, expected) in zip(Self.cases, reference) {
            let (t, p) = PairedStatistics.pairedT(d)
            #expect(abs(t - expected[0]) < 1e-9 * max(1, abs(expected[0])), "t for \(d): \(t) vs \(expected[0])")
            #expect(abs(p - expected[1]) < 1e-9, "p for \(d): \(p) vs \(expected[1])")
        }
    }

    @Test(.enabled(if: Tools.python("numpy"), "needs numpy (make test installs it)"))
    func exactBootstrapMatchesAnExhaustiveNumpyEnumeration() throws {
        let small = Self.cases.filter { $0.count <= 6 }
        let literal = small.map { "[" + $0.map { String($0) }.joined(separator: ",") + "]" }.joined(separator: ",")
        let reference = try Self.python("""
        import itertools, json, numpy as np
        out = []
        for d in [\(literal)]:
            means = [np.mean([d[i] for i in idx]) for idx in itertools.product(range(len(d)), repeat=len(d))]
            out.append([float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))])
        print(json.dumps(out))
        """)
        #expect(reference.count == small.count && small.count == 4)
        for (d, expected) in zip(small, reference) {
            let (low, high) = PairedStatistics.bootstrapInterval(d)
            #expect(abs(low - expected[0]) < 1e-9 && abs(high - expected[1]) < 1e-9, "\(d): [\(low), \(high)] vs \(expected)")
        }
        // Beyond six values the resamples are drawn from a fixed stream: the same interval every time, around the mean.
        let large = Self.cases[4]
        let interval = PairedStatistics.bootstrapInterval(large)
        #expect(interval == PairedStatistics.bootstrapInterval(large))
        #expect(interval.0 < large.reduce(0, +) / 10 && large.reduce(0, +) / 10 < interval.1)
    }

    /// Textbook case: differences 1, 2, 3 give t = 2/(1/√3) = 2√3; with 2 degrees of
    /// freedom the two-sided p-value has the closed form 1 − t/√(2 + t²).
    @Test func pairedTHasTheTextbookValue() {
        let (t, p) = PairedStatistics.pairedT([1, 2, 3])
        #expect(abs(t - 2 * 3.0.squareRoot()) < 1e-12)
        #expect(abs(p - (1 - t / (2 + t * t).squareRoot())) < 1e-12)
        #expect(PairedStatistics.pairedT([0.5, 0.5]).p == 0 && PairedStatistics.pairedT([0, 0]).p == 1)
    }

    static func results(_ curves: [String: [[Double]]]) -> ResultSet {
        var rows: [ResultSet.Row] = []
        for (strategy, seeds) in curves {
            for (seed, values) in seeds.enumerated() {
                for (cycle, value) in values.enumerated() {
                    rows.append(ResultSet.Row(strategy: strategy, seed: UInt64(seed), cycle: cycle, labeled: 10 + 10 * cycle,
                                              metric: "accuracy", value: value, key: String(repeating: "0", count: 64)))
                }
            }
        }
        let strategies = curves.keys.sorted()
        return ResultSet(workflow: "paired", description: nil, strategies: strategies, seeds: [0, 1, 2], metrics: ["accuracy"],
                         rows: rows, missing: [], computeSeconds: [:])
    }

    @Test func theStarIsWithheldOnATieAndGivenToAClearLeader() {
        // b beats a on two seeds and loses on one: the best mean, but its interval against a reaches below zero.
        let tied = Summary(Self.results(["a": [[0.5, 0.6], [0.5, 0.6], [0.5, 0.6]], "b": [[0.5, 0.7], [0.5, 0.7], [0.5, 0.5]],
                                         "random": [[0.4, 0.5], [0.4, 0.5], [0.4, 0.5]]]), cycles: 2)
        #expect(tied.bestMean("accuracy") == "b")
        #expect(tied.best("accuracy") == nil)
        #expect(tied.tied("accuracy") == ["b", "a"])
        #expect(TextFormats.render(tied, format: .table).contains("statistically tied: b, a"))
        #expect(!TextFormats.render(tied, format: .table).contains("★"))
        // b ahead of everyone on every seed: the star.
        let clear = Summary(Self.results(["a": [[0.5, 0.6], [0.5, 0.6], [0.5, 0.6]], "b": [[0.5, 0.7], [0.5, 0.71], [0.5, 0.72]],
                                          "random": [[0.4, 0.5], [0.4, 0.5], [0.4, 0.5]]]), cycles: 2)
        #expect(clear.best("accuracy") == "b" && clear.tied("accuracy").isEmpty)
        let comparison = clear.comparisons("accuracy").first { $0.strategy == "b" }
        #expect(comparison?.wins == 3 && comparison?.reference == "random")
    }

    @Test func thePairwiseMatrixCountsBudgetsWhereATTestFindsTheRowBetter() {
        // Budget 10: all equal. Budget 20: b > a on every seed by a varying margin (significant); a vs random: a > random by a constant.
        let summary = Summary(Self.results(["a": [[0.5, 0.6], [0.5, 0.6], [0.5, 0.6]], "b": [[0.5, 0.70], [0.5, 0.72], [0.5, 0.71]],
                                            "random": [[0.5, 0.5], [0.5, 0.55], [0.5, 0.52]]]), cycles: 2)
        let matrix = summary.pairwise("accuracy")   // rows/columns: a, b, random
        #expect(matrix == [[0, 0, 1], [1, 0, 1], [0, 0, 0]], "\(matrix)")
    }

    @Test func theHTMLReportCarriesThePairedTableTheVerdictAndTheHeatMap() throws {
        let tied = Summary(Self.results(["a": [[0.5, 0.6], [0.5, 0.6], [0.5, 0.6]], "b": [[0.5, 0.7], [0.5, 0.7], [0.5, 0.5]],
                                         "random": [[0.4, 0.5], [0.4, 0.5], [0.4, 0.5]]]), cycles: 2)
        let html = HTMLReport.render(tied, workflow: try ReportTests.workflow())
        #expect(ReportTests.wellFormed(html))
        #expect(html.contains("Paired over seeds against random") && html.contains("statistically tied: b, a"))
        #expect(html.contains("class=\"heatmap\"") && !html.contains("★"))
        // One cell per pair, its count written in it.
        let heatMap = try #require(html.components(separatedBy: "class=\"heatmap\"").last?.components(separatedBy: "</svg>").first)
        #expect(heatMap.components(separatedBy: "<rect ").count - 1 == 9)
    }

    @Test func labelsToReachATargetAreInterpolatedPerSeed() {
        // Sizes 10, 20: a reaches 0.55 halfway on every seed (15); b at 10 already on two seeds and never on the third.
        let summary = Summary(Self.results(["a": [[0.5, 0.6], [0.5, 0.6], [0.5, 0.6]], "b": [[0.6, 0.7], [0.6, 0.7], [0.5, 0.52]],
                                            "random": [[0.4, 0.5], [0.4, 0.5], [0.4, 0.5]]]), cycles: 2, targets: [0.55])
        let reach = summary.reach("accuracy", target: 0.55)
        #expect(reach["a"]?.mean.map { abs($0 - 15) < 1e-9 } == true && reach["a"]?.reached == 3 && reach["a"]?.seeds == 3)
        #expect(reach["b"]?.mean == 10 && reach["b"]?.reached == 2 && reach["b"]?.seeds == 3)
        #expect(reach["random"]?.mean == nil && reach["random"]?.reached == 0 && reach["random"]?.seeds == 3)
        let table = TextFormats.render(summary, format: .table)
        #expect(table.contains("accuracy ≥ 0.55") && table.contains("not reached"), "\(table)")
    }

    @Test func workflowsSideBySideRankEachColumnAndAverageTheRanks() {
        let first = Summary(Self.results(["a": [[0.5, 0.6], [0.5, 0.6], [0.5, 0.6]], "b": [[0.5, 0.7], [0.5, 0.7], [0.5, 0.7]],
                                          "random": [[0.5, 0.6], [0.5, 0.6], [0.5, 0.6]]]), cycles: 2)
        let second = Summary(Self.results(["a": [[0.5, 0.9], [0.5, 0.9], [0.5, 0.9]], "b": [[0.5, 0.7], [0.5, 0.7], [0.5, 0.7]]]), cycles: 2)
        let report = CrossWorkflowReport([first, second])
        // First workflow: b 1, a and random tie for 2–3 (2.5 each); second: a 1, b 2.
        #expect(report.columns[0].ranks == ["b": 1, "a": 2.5, "random": 2.5])
        #expect(report.columns[1].ranks == ["a": 1, "b": 2])
        #expect(report.meanRank("a") == 1.75 && report.meanRank("b") == 1.5 && report.meanRank("random") == 2.5)
        let table = report.render(.table)
        #expect(table.split(separator: "\n").dropFirst(2).first?.hasPrefix("b ") == true, "sorted by mean rank: \(table)")
        #expect(report.render(.csv).split(separator: "\n").count == 1 + 5)
    }
}
