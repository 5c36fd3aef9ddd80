import ArgumentParser
import ArtifactStore
import Foundation
import Reports
import Workflows

extension TextFormats.Format: ExpressibleByArgument {}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Results of a workflow: learning curves (mean ± std over seeds), AUBC, and their provenance.",
        discussion: """
            CSV columns are strategy,seed,cycle,labeled,metric,value. Missing measurements are listed, not hidden. \
            With several workflow files: one AUBC table with a column and a rank per workflow, and the mean rank \
            (CSV columns strategy,workflow,metric,aubc,rank).
            """)

    @Argument(help: "Workflow files (several: side by side).") var files: [String]
    @Option(name: .long, help: "table, csv, json or markdown.") var format: TextFormats.Format = .table
    @Option(name: .long, help: "Also write the self-contained HTML report to this path.") var html: String?
    @Flag(name: .long, help: "Open the run's HTML report in a browser when one is available; else print its path.") var open = false
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var overrideOptions: OverrideOptions

    func validate() throws {
        if files.count > 1, html != nil { throw ValidationError("--html takes one workflow file") }
    }

    func run() throws {
        let store = try storeOptions.openReadOnly()
        var summaries: [(WorkflowSession, Summary)] = []
        for file in files {
            let session = try WorkflowSession.open(file, overrides: overrideOptions.overrides, store: store, inspectData: false)
            summaries.append((session, Summary(ResultSet.collect(plan: session.plan, store: store), cycles: session.workflow.loop.cycles.value,
                                               baseline: session.workflow.report.baseline?.value,
                                               targets: session.workflow.report.targets?.value ?? [])))
        }
        guard let (session, summary) = summaries.first, summaries.count == 1 else {
            Console.out(CrossWorkflowReport(summaries.map(\.1)).render(format))
            return
        }
        Console.out(TextFormats.render(summary, format: format))
        if open { openReport(store.layout.reportFolder(session.workflow.name.value) + "/report.html") }
        if let html {
            do {
                try Data(HTMLReport.render(summary, workflow: session.workflow).utf8).write(to: URL(fileURLWithPath: html), options: .atomic)
            } catch {
                throw Console.fail(StoreError.writeFailed(path: html, reason: error.localizedDescription))
            }
            Console.err("report: \(html)")
        }
    }
}

extension ReportCommand {
    /// xdg-open on a desktop session; otherwise (servers, CI) the path to open.
    func openReport(_ path: String) {
        guard FileManager.default.fileExists(atPath: path) else {
            Console.err("alflow: no report at \(path) yet; `alflow run` writes it")
            return
        }
        let environment = ProcessInfo.processInfo.environment
        let desktop = !(environment["DISPLAY"] ?? "").isEmpty || !(environment["WAYLAND_DISPLAY"] ?? "").isEmpty
        if desktop, FileManager.default.isExecutableFile(atPath: "/usr/bin/xdg-open") {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/xdg-open")
            process.arguments = [path]
            if (try? process.run()) != nil { return }
        }
        Console.out("open: \(path)")
    }
}
