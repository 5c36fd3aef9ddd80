/// What can go wrong with an external model; rendered once, here.
public enum ExternalModelError: Error, CustomStringConvertible, Sendable {
    case cannotStart([String], String)
    case workerDied(String)
    case timedOut(seconds: Double)
    case badResponse(String)
    case failed(String)
    case invalidOutput(String)
    case unsupported(String)

    public var description: String {
        switch self {
        case .cannotStart(let command, let reason): return "cannot start the model command '\(command.joined(separator: " "))': \(reason)"
        case .workerDied(let how): return "the model process ended before answering: \(how)"
        case .timedOut(let seconds): return "the model did not answer within its timeout (\(Self.duration(seconds)))"
        case .badResponse(let what): return "the model broke protocol v1: \(what)"
        case .failed(let message): return "the model reported an error: \(message)"
        case .invalidOutput(let what): return "the model's output is invalid: \(what)"
        case .unsupported(let what): return what
        }
    }

    static func duration(_ seconds: Double) -> String {
        seconds < 120 ? "\(Int(seconds.rounded())) s" : seconds < 7200 ? "\(Int((seconds / 60).rounded())) min" : "\(Int((seconds / 3600).rounded())) h"
    }
}

/// A failed request with the worker's standard error of that request: its
/// last lines in the message, the whole text saved in the store's log.
public struct ExternalStageFailure: Error, CustomStringConvertible, Sendable {
    public let error: ExternalModelError
    public let stderrTail: [String]
    public let logPath: String?

    public var description: String {
        var text = error.description
        if !stderrTail.isEmpty {
            text += "\n  model stderr (last \(stderrTail.count) lines):\n" + stderrTail.map { "    " + $0 }.joined(separator: "\n")
        }
        if let logPath { text += "\n  whole log: \(logPath)" }
        return text
    }
}
