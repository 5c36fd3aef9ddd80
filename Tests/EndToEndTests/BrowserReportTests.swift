import Foundation
import TestSupport
import Testing

/// The HTML report of a running and of a finished workflow, rendered by a
/// real browser (headless Chromium, Debian's package).
@Suite(.serialized, .timeLimit(.minutes(5))) struct BrowserReportTests {
    static let chromium = "/usr/bin/chromium"

    /// Chromium's DOM of a page, its console messages, and a screenshot.
    static func render(_ page: String, screenshot: String) throws -> (dom: String, log: String) {
        let common = ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
                      "--allow-file-access-from-files"]
        let dump = try Subprocess.run(chromium, common + ["--dump-dom", "file://" + page])
        #expect(dump.status == 0, "\(dump.stderr.suffix(2000))")
        let shot = try Subprocess.run(chromium, common + ["--window-size=1100,2600", "--screenshot=" + screenshot, "file://" + page])
        #expect(shot.status == 0, "\(shot.stderr.suffix(2000))")
        #expect(FileManager.default.fileExists(atPath: screenshot))
        return (dump.stdout, dump.stderr + shot.stderr)
    }

    static func consoleErrors(_ log: String) -> [String] {
        log.split(separator: "\n").filter { $0.contains("CONSOLE") || $0.contains("Uncaught") }.map(String.init)
    }

    @Test(.enabled(if: Tools.exists(chromium), "needs Debian's chromium (make test installs it)"))
    func theLiveAndTheFinalReportRenderWithoutErrors() throws {
        let cli = try CLIHarness()
        let workflow = try cli.write("small.yaml", CLIHarness.smallWorkflow)
        let store = cli.store("store")
        let page = store + "/reports/small/report.html"
        // Slow training, so that the run is still going after its first evaluation.
        let (process, out, err) = try cli.start(["run", workflow, "--store", store, "--events", "--set", "train.epochs=200"])
        let reader = LineReader(err)
        var livePage: String?
        while let line = reader.next() {
            if line.contains("\"event\":\"finished\""), line.contains("\"stage\":\"evaluate/"), FileManager.default.fileExists(atPath: page) {
                livePage = cli.folder.file("live.html")
                try FileManager.default.copyItem(atPath: page, toPath: cli.folder.file("live.html"))
                break
            }
        }
        let result = Subprocess.finish(process, out, err)
        #expect(result.status == 0, "\(result.stderr.suffix(2000))")
        let live = try #require(livePage, "a report page existed while the run was going")

        let running = try Self.render(live, screenshot: cli.folder.file("live.png"))
        #expect(running.dom.contains("http-equiv=\"refresh\"") && running.dom.contains("Running:"), "the live page reloads itself")
        #expect(running.dom.contains("<svg"))
        #expect(Self.consoleErrors(running.log).isEmpty, "\(Self.consoleErrors(running.log))")

        let finished = try Self.render(page, screenshot: cli.folder.file("final.png"))
        #expect(!finished.dom.contains("http-equiv=\"refresh\"") && !finished.dom.contains("Running:"), "the final page stays")
        #expect(finished.dom.contains("class=\"heatmap\"") && finished.dom.contains("Paired over seeds"))
        #expect(finished.dom.components(separatedBy: "<svg").count - 1 >= 2, "the chart and the heat map")
        #expect(Self.consoleErrors(finished.log).isEmpty, "\(Self.consoleErrors(finished.log))")
        if let folder = ProcessInfo.processInfo.environment["ALFLOW_SCREENSHOTS"] {
            try? FileManager.default.removeItem(atPath: folder + "/report-live.png")
            try? FileManager.default.removeItem(atPath: folder + "/report-final.png")
            try FileManager.default.copyItem(atPath: cli.folder.file("live.png"), toPath: folder + "/report-live.png")
            try FileManager.default.copyItem(atPath: cli.folder.file("final.png"), toPath: folder + "/report-final.png")
        }
    }
}
