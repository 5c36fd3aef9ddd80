import Execution
import Fingerprints
import Foundation

/// Shows a run's progress. On a terminal: a live block with the overall
/// count and ETA and a line per running stage, redrawn in place. Otherwise
/// (CI, pipes): one plain line per finished stage. Events: one JSON object
/// per line for every event (`--events`, for tools and tests). Quiet: nothing.
/// `@unchecked`: every mutable field is read and written only while holding `lock`.
final class ProgressDisplay: @unchecked Sendable {
    enum Mode { case live, lines, events, quiet }

    private let mode: Mode
    private let lock = NSLock()
    private var total = 0
    private var toCompute = 0
    private var finished = 0
    private var running: [String: (label: String, message: String)] = [:]
    private var order: [String] = []
    private var drawnLines = 0
    private var lastDraw = Date.distantPast
    private let start = Date()
    private var computedSeconds: [Double] = []

    init(mode: Mode) { self.mode = mode }

    func handle(_ event: RunEvent) {
        lock.lock()
        defer { lock.unlock() }
        if mode == .events { return Console.err(Self.json(event)) }
        switch event {
        case .planned(let total, let plan):
            self.total = total
            toCompute = plan.count
            if mode != .quiet && plan.isEmpty { /* nothing to run */ }
        case .started(let id, let label):
            running[id] = (label, "")
            order.append(id)
            redraw(force: true)
        case .progress(let id, _, let message):
            if let entry = running[id] { running[id] = (entry.label, message) }
            redraw(force: false)
        case .finished(let id, let label, let outcome):
            running.removeValue(forKey: id)
            order.removeAll { $0 == id }
            finished += 1
            if case .computed(let seconds) = outcome { computedSeconds.append(seconds) }
            if mode == .lines || mode == .live {
                let line = describe(id: id, label: label, outcome)
                if let line {
                    clearBlock()
                    Console.err(line)
                }
            }
            redraw(force: true)
        case .warning(let message):
            if mode != .quiet {
                clearBlock()
                Console.err("alflow: warning: \(message)")
                redraw(force: true)
            }
        }
    }

    private func describe(id: String, label: String, _ outcome: StageOutcome) -> String? {
        switch outcome {
        case .computed(let seconds): return String(format: "computed  %@  (%.1f s)", id, seconds)
        case .computedElsewhere: return "cached    \(id)  (computed by another process)"
        case .cached: return nil
        case .failed(let message): return "FAILED    \(id): \(message)"
        case .skipped(let reason): return mode == .live ? nil : "not run   \(id): \(reason)"
        }
    }

    /// `{"event":"progress","stage":"train/seed0/cycle0","fraction":0.5,"message":"epoch 2/4, loss 0.812"}`.
    static func json(_ event: RunEvent) -> String {
        var fields: [(String, CanonicalValue)]
        switch event {
        case .planned(let total, let plan):
            fields = [("event", .string("planned")), ("total", .int(total)), ("to_compute", .int(plan.count))]
        case .started(let id, _):
            fields = [("event", .string("started")), ("stage", .string(id))]
        case .progress(let id, let fraction, let message):
            fields = [("event", .string("progress")), ("stage", .string(id)), ("fraction", .double(fraction)), ("message", .string(message))]
        case .finished(let id, _, let outcome):
            let name: String
            switch outcome {
            case .computed: name = "computed"
            case .cached, .computedElsewhere: name = "cached"
            case .failed: name = "failed"
            case .skipped: name = "skipped"
            }
            fields = [("event", .string("finished")), ("stage", .string(id)), ("outcome", .string(name))]
        case .warning(let message):
            fields = [("event", .string("warning")), ("message", .string(message))]
        }
        return "{" + fields.map { CanonicalValue.string($0.0).json + ":" + $0.1.json }.joined(separator: ",") + "}"
    }

    /// Ends the live block.
    func finish() {
        lock.lock()
        clearBlock()
        lock.unlock()
    }

    private func clearBlock() {
        guard mode == .live, drawnLines > 0 else { return }
        FileHandle.standardError.write(Data(String(repeating: "\u{1B}[1A\u{1B}[2K", count: drawnLines).utf8))
        drawnLines = 0
    }

    private func redraw(force: Bool) {
        guard mode == .live else { return }
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = now
        clearBlock()
        var lines = ["[\(finished)/\(toCompute) stages to compute, \(total) in the plan]\(eta())"]
        for id in order.prefix(8) {
            guard let entry = running[id] else { continue }
            lines.append("  \(entry.label)\(entry.message.isEmpty ? "" : " — \(entry.message)")")
        }
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        drawnLines = lines.count
    }

    private func eta() -> String {
        guard finished > 0, finished < toCompute else { return "" }
        let elapsed = Date().timeIntervalSince(start)
        let remaining = elapsed / Double(finished) * Double(toCompute - finished)
        return String(format: ", about %d:%02d left", Int(remaining) / 60, Int(remaining) % 60)
    }
}
