/// Checks that involve several sections (those that need the data itself —
/// pool size, classes — run later, in the stages' data inspection).
struct CrossChecks {
    let bag: DiagnosticBag

    func check(_ workflow: Workflow) {
        if workflow.model.kind == .smallnet, !workflow.dataset.isImage {
            bag.error(workflow.model.location ?? workflow.dataset.source.location ?? SourceLocation(file: workflow.file, line: 1, column: 1),
                      "smallnet is a CNN for images, but the '\(workflow.dataset.source.value.kind)' source gives flat feature vectors",
                      hint: "use mlp, or image data (idx, or npy/hdf5 with images: true)")
        }
        if workflow.train.restart.value == .warm, workflow.model.kind == .linear {
            // Allowed; nothing to check.
        }
        let names = workflow.strategies.map(\.name)
        if Set(names).count != names.count {
            bag.error(workflow.strategies[0].location, "two strategies share a name")
        }
        if workflow.loop.cycles.value == 1, workflow.strategies.count > 1 {
            bag.warning(workflow.loop.cycles.location ?? workflow.strategies[0].location,
                        "with one cycle no query is made, so every strategy gives the same result")
        }
    }
}
