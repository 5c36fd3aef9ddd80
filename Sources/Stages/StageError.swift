/// Why a stage could not compute, as data (the CLI renders it).
public enum StageError: Error, CustomStringConvertible, Sendable {
    /// The data does not fit the workflow (a malformed file, too small a pool…).
    case invalidData(String)
    /// An input object lacks something this stage needs (a bug or a foreign object).
    case malformedInput(stage: String, what: String)

    public var description: String {
        switch self {
        case .invalidData(let message): return message
        case .malformedInput(let stage, let what): return "input '\(stage)' is malformed: \(what)"
        }
    }
}
