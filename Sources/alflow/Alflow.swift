import ArgumentParser

@main
struct Alflow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alflow",
        abstract: "Reproducible deep active-learning experiments.",
        discussion: """
        A workflow file (YAML) names a data set, a model, its training, the active-learning \
        loop and the query strategies to compare. alflow plans it into a DAG of stages, \
        stores every stage's output in HDF5 under a content hash, and resumes exactly.
        """,
        version: "0.1.0",
        subcommands: []
    )
}
