import Foundation
import FoundationXML
import Reports
import TestSupport
import Testing
import Workflows

@Suite struct ReportTests {
    /// Two strategies, two seeds, three cycles of 20 labels; one measurement missing.
    static func results(complete: Bool = true) -> ResultSet {
        func row(_ s: String, _ seed: UInt64, _ cycle: Int, _ value: Double) -> ResultSet.Row {
            ResultSet.Row(strategy: s, seed: seed, cycle: cycle, labeled: 20 + 20 * cycle, metric: "accuracy", value: value,
                          key: String(repeating: "ab", count: 32))
        }
        var rows = [row("random", 0, 0, 0.5), row("random", 0, 1, 0.6), row("random", 0, 2, 0.7),
                    row("random", 1, 0, 0.5), row("random", 1, 1, 0.7), row("random", 1, 2, 0.8),
                    row("ns, small", 0, 0, 0.5), row("ns, small", 0, 1, 0.8), row("ns, small", 0, 2, 0.9),
                    row("ns, small", 1, 0, 0.5), row("ns, small", 1, 1, 0.8)]
        var missing: [ResultSet.Missing] = []
        if complete { rows.append(row("ns, small", 1, 2, 0.85)) } else {
            missing.append(ResultSet.Missing(strategy: "ns, small", seed: 1, cycle: 2, stage: "evaluate/ns/seed1/cycle2"))
        }
        return ResultSet(workflow: "toy", description: "A <hand-made> & checked result", strategies: ["random", "ns, small"],
                         seeds: [0, 1], metrics: ["accuracy"], rows: rows, missing: missing,
                         computeSeconds: ["shared": ["load": 1, "train": 2], "random": ["train": 3]])
    }

    @Test func meansStandardDeviationsAndAUBC() throws {
        let summary = Summary(Self.results(), cycles: 3)
        let random = try #require(summary.curves["accuracy"]?["random"])
        #expect(random.map(\.labeled) == [20, 40, 60])
        #expect(abs(random[1].mean - 0.65) < 1e-12)
        #expect(abs(random[1].std - (0.005).squareRoot()) < 1e-12, "sample std of 0.6 and 0.7")
        #expect(random[0].std == 0)
        // AUBC seed 0: (20·(0.5+0.6)/2 + 20·(0.6+0.7)/2) / 40 = 0.6; seed 1: (20·0.6 + 20·0.75)/40 = 0.675.
        let area = try #require(summary.areas["accuracy"]?["random"])
        #expect(abs((area.perSeed[0] ?? 0) - 0.6) < 1e-12)
        #expect(abs((area.perSeed[1] ?? 0) - 0.675) < 1e-12)
        #expect(abs((area.mean ?? 0) - 0.6375) < 1e-12)
        #expect(summary.best("accuracy") == "ns, small")
    }

    @Test func incompleteResultsShowWhatExistsAndSayWhatIsMissing() throws {
        let summary = Summary(Self.results(complete: false), cycles: 3)
        #expect(summary.areas["accuracy"]?["ns, small"]?.perSeed[1] == nil, "an incomplete curve has no AUBC")
        #expect(summary.areas["accuracy"]?["ns, small"]?.perSeed[0] != nil)
        let table = TextFormats.render(summary, format: .table)
        #expect(table.contains("incomplete: 1 of 12 measurements are missing"))
        let html = HTMLReport.render(summary, workflow: try Self.workflow())
        #expect(html.contains("Incomplete: 1 measurements are missing"))
    }

    @Test func csvBytesAreExactAndStable() {
        let csv = TextFormats.render(Summary(Self.results(), cycles: 3), format: .csv)
        let lines = csv.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "strategy,seed,cycle,labeled,metric,value")
        #expect(lines[1] == "random,0,0,20,accuracy,0.5")
        #expect(lines[7] == "\"ns, small\",0,0,20,accuracy,0.5")
        #expect(lines[12] == "\"ns, small\",1,2,60,accuracy,0.85")
        #expect(csv.hasSuffix("0.85\n"))
        #expect(csv == TextFormats.render(Summary(Self.results(), cycles: 3), format: .csv))
    }

    @Test func jsonAndMarkdownCarryTheSameNumbers() throws {
        let summary = Summary(Self.results(), cycles: 3)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(TextFormats.render(summary, format: .json).utf8)) as? [String: Any])
        #expect(json["workflow"] as? String == "toy")
        let rows = try #require(json["rows"] as? [[String: Any]])
        #expect(rows.count == 12 && rows[0]["key"] as? String == String(repeating: "ab", count: 32))
        let aubc = try #require((json["aubc"] as? [String: [String: [String: Any]]])?["accuracy"]?["random"])
        #expect(abs((aubc["mean"] as? Double ?? 0) - 0.6375) < 1e-12)
        let markdown = TextFormats.render(summary, format: .markdown)
        #expect(markdown.contains("| 40 | 0.6500 ± 0.0707 | 0.8000 ± 0.0000 |"))
        #expect(markdown.contains("| **ns, small** |"))
    }

    static func workflow() throws -> Workflow {
        let text = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("workflows/quickstart.yaml"), encoding: .utf8)
        let dir = try TemporaryDirectory()
        try Data(text.utf8).write(to: URL(fileURLWithPath: dir.file("q.yaml")))
        return try #require(WorkflowLoader.load(dir.file("q.yaml")).workflow)
    }

    static func wellFormed(_ text: String) -> Bool {
        let body = text.replacingOccurrences(of: "<!DOCTYPE html>", with: "")
        let parser = XMLParser(data: Data(body.utf8))
        return parser.parse()
    }

    @Test func svgAndHTMLAreWellFormedAndSelfContained() throws {
        let summary = Summary(Self.results(), cycles: 3)
        let svg = SVGChart.render(summary, metric: "accuracy")
        #expect(Self.wellFormed(svg))
        #expect(svg.contains("<polygon") && svg.contains("<polyline") && svg.contains("labelled samples") && svg.contains("test accuracy"))
        let html = HTMLReport.render(summary, workflow: try Self.workflow())
        #expect(Self.wellFormed(html))
        #expect(html.contains("&lt;hand-made&gt; &amp; checked"))
        #expect(!html.contains("<script") && !html.contains("http://fonts") && !html.contains("https://"))
        #expect(html.contains("AUBC mean ± std") && html.contains("Provenance") && html.contains("Settings"))
    }

    @Test(.enabled(if: Tools.exists("/usr/bin/rsvg-convert"), "needs rsvg-convert, Debian's librsvg2-bin (make test installs it)"))
    func chartRendersToPNG() throws {
        let converter = "/usr/bin/rsvg-convert"
        let dir = try TemporaryDirectory()
        try Data(SVGChart.render(Summary(Self.results(), cycles: 3), metric: "accuracy").utf8).write(to: URL(fileURLWithPath: dir.file("c.svg")))
        let result = try Subprocess.run(converter, [dir.file("c.svg"), "-o", dir.file("c.png")])
        #expect(result.status == 0, "\(result.stderr)")
        let png = try Data(contentsOf: URL(fileURLWithPath: dir.file("c.png")))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(png.count > 5_000)
    }
}
