import ArgumentParser
import ArtifactStore
import DataCatalog
import Foundation
import Stages
import Workflows

/// The one place errors become text and exit codes.
enum Console {
    static let failure = ExitCode(1)
    static let invalid = ExitCode(65)
    static let interrupted = ExitCode(130)

    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    /// Prints workflow diagnostics (all of them, in file order).
    static func show(_ diagnostics: [Diagnostic]) {
        for diagnostic in diagnostics { err(diagnostic.rendered) }
    }

    /// Renders an error and returns the exit code it maps to.
    static func fail(_ error: Error) -> ExitCode {
        switch error {
        case let code as ExitCode:
            return code
        case let error as Diagnostic:
            err(error.rendered)
            return invalid
        case let error as StoreError:
            err("alflow: error: \(error)")
            if case .newerFormat = error { return invalid }
            return failure
        case let error as DataFetchError:
            err("alflow: error: \(error)")
            if case .unknown = error { return invalid }
            return failure
        case let error as StageError:
            err("alflow: error: \(error)")
            return invalid
        default:
            err("alflow: error: \(error)")
            return failure
        }
    }

    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}
