import ArtifactStore
import DataCatalog
import Datasets
import NeuralNetworks
import Workflows

/// The checks that need the data itself: the budget against the pool, the
/// initial set against the classes, the network against the sample shape,
/// and whether the files parse at all. Uses the stored load object when the
/// plan's load stage is already computed, so a rerun reads no data file.
public enum DataInspection {
    public struct Facts: Sendable, Equatable {
        public var pool: Int
        public var classes: Int?
        public var featureShape: [Int]
    }

    public static func check(_ workflow: Workflow, plan: Plan?, store: ArtifactStore?) -> [Diagnostic] {
        let sourceLocation = workflow.dataset.source.location ?? SourceLocation(file: workflow.file, line: 1, column: 1)
        let facts: Facts
        do {
            facts = try self.facts(workflow, plan: plan, store: store)
        } catch let error as DataError {
            return [Diagnostic(sourceLocation, "the data cannot be used: \(error.description)")]
        } catch let error as StageError {
            return [Diagnostic(sourceLocation, "the data cannot be used: \(error.description)")]
        } catch {
            return [Diagnostic(sourceLocation, "the data cannot be read: \(error)")]
        }
        var diagnostics: [Diagnostic] = []
        let loop = workflow.loop
        let queries = loop.cycles.value - 1
        let needed = loop.initial.value + loop.query.value * queries
        let loopLocation = loop.initial.location ?? sourceLocation
        if needed > facts.pool {
            diagnostics.append(Diagnostic(loopLocation,
                "the loop needs \(needed) labels (initial \(loop.initial.value) + \(loop.query.value) × \(queries) queries) but the pool holds \(facts.pool)",
                hint: "lower loop.initial, loop.query or loop.cycles, or the test fraction"))
        }
        if let classes = facts.classes, workflow.isClassification, loop.coverClasses.value, loop.initial.value < classes {
            diagnostics.append(Diagnostic(loopLocation, "an initial set of \(loop.initial.value) cannot cover all \(classes) classes",
                                          hint: "raise loop.initial to at least \(classes), or set loop.cover_classes: false"))
        }
        if let problem = Networks.architecture(workflow.model).incompatibility(inputShape: facts.featureShape) {
            diagnostics.append(Diagnostic(workflow.model.location ?? sourceLocation, problem))
        }
        return diagnostics
    }

    static func facts(_ workflow: Workflow, plan: Plan?, store: ArtifactStore?) throws -> Facts {
        if let store, let load = plan?.stages.first(where: { $0.kind == .load }), case .hit(let object)? = try? store.open(load.digest) {
            let load = try LoadPayload(Input(id: "load", object: object))
            return Facts(pool: load.poolSize, classes: load.isClassification ? load.classes : nil, featureShape: load.featureShape)
        }
        if case .builtin(let name) = workflow.dataset.source.value, let known = KnownDataset.named(name), !known.files.isEmpty {
            // What the catalogue states; the files may not be fetched yet.
            let facts = known.facts
            let pool = facts.test > 0 ? facts.train : facts.train - Int((Double(facts.train) * workflow.dataset.testFraction.value).rounded())
            return Facts(pool: pool, classes: facts.classes, featureShape: facts.featureShape)
        }
        if case .syntheticPool(let sizes, let dimensions, _, _, _) = workflow.dataset.source.value {
            return Facts(pool: sizes.reduce(0, +), classes: sizes.count, featureShape: [dimensions])
        }
        let raw = try SourceLoading.raw(workflow.dataset, storeRoot: store?.layout.root)
        let pool: Int
        if raw.test != nil {
            pool = raw.samples.count
        } else {
            let test = Int((Double(raw.samples.count) * workflow.dataset.testFraction.value).rounded())
            pool = raw.samples.count - test
        }
        return Facts(pool: pool, classes: raw.task.classCount, featureShape: raw.featureShape)
    }
}
