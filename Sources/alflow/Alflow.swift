import ArgumentParser

@main
struct Alflow: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "alflow",
        abstract: "Reproducible deep active-learning experiments.",
        discussion: """
        A workflow file (YAML) names a data set, a model, its training, the active-learning \
        loop and the query strategies to compare. alflow plans it into a DAG of stages, \
        stores every stage's output in HDF5 under a content hash, and resumes exactly.

        Exit codes: 0 success, 1 a stage failed (or verify found damage), 64 usage, \
        65 invalid workflow or data, 130 interrupted.
        """,
        version: version,
        subcommands: [RunCommand.self, ValidateCommand.self, DagCommand.self, StatusCommand.self, ReportCommand.self,
                      ExplainCommand.self, VerifyCommand.self, GCCommand.self, SchemaCommand.self, FetchCommand.self, DataCommand.self,
                      ExecStageCommand.self]
    )

    /// The BLAS kernel is chosen first: OpenBLAS reads it only when it loads.
    static func main() {
        NumericsSelection.prepare(CommandLine.arguments)
        main(nil)
    }
}
