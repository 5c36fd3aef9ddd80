import ArtifactStore
import Fingerprints
import Foundation
import Strategies
import Workflows

/// Before planning: checks that the command exists, learns what the model
/// supports (`describe`), rejects strategies that need what it cannot give,
/// and resolves the identity its stages' keys hold.
public enum ExternalModelSetup {
    /// The command's program cannot be found: reported at `command`.
    public static func commandProblem(_ spec: ExternalModelSpec) -> Diagnostic? {
        let program = spec.command.value[0]
        let location = spec.command.location ?? SourceLocation(file: spec.directory, line: 1, column: 1)
        if program.contains("/") {
            let path = spec.resolve(program)
            return FileManager.default.isExecutableFile(atPath: path) ? nil
                : Diagnostic(location, "the model command '\(program)' is not an executable file (\(path))",
                             hint: "give an interpreter first, e.g. [python3, \(program)]")
        }
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        guard folders.contains(where: { FileManager.default.isExecutableFile(atPath: "\($0)/\(program)") }) else {
            return Diagnostic(location, "the model command '\(program)' is not on PATH", hint: "install it, or give its full path")
        }
        for argument in spec.command.value.dropFirst() where argument.hasSuffix(".py") && !FileManager.default.fileExists(atPath: spec.resolve(argument)) {
            return Diagnostic(location, "the model script '\(argument)' does not exist (\(spec.resolve(argument)))")
        }
        return nil
    }

    /// Strategies (or a task) the model cannot serve, each at its own location.
    public static func problems(_ workflow: Workflow, _ description: ModelDescription) -> [Diagnostic] {
        let modelLocation = workflow.model.location ?? SourceLocation(file: workflow.file, line: 1, column: 1)
        var problems: [Diagnostic] = []
        let task = workflow.dataset.task.rawValue
        if !description.tasks.contains(task) {
            problems.append(Diagnostic(modelLocation, "the external model '\(description.name)' does not do \(task) (its describe says \(description.tasks.sorted().joined(separator: ", ")))"))
        }
        for strategy in workflow.strategies {
            let declaration = strategy.kind.declaration
            var needs: [(String, String)] = []
            if declaration.usesEmbeddings { needs.append(("embeddings", "penultimate embeddings")) }
            if declaration.usesClassifierHead { needs.append(("head", "its last linear layer")) }
            switch declaration.perturbation(strategy.parameters, isClassification: workflow.isClassification)?.family {
            case .monteCarloDropout?: needs.append(("mc_dropout", "Monte-Carlo dropout (dropout layers)"))
            case .noiseStability?: needs.append(("weight_noise", "weight-noise passes"))
            case nil: break
            }
            for (capability, what) in needs where !description.supports(capability) {
                problems.append(Diagnostic(strategy.location,
                                           "strategy '\(strategy.name)' needs \(what), which the external model '\(description.name)' does not support",
                                           hint: "its describe lists: \(description.supports.sorted().joined(separator: ", "))"))
            }
        }
        return problems
    }

    /// What the keys of the model's stages hold: files by content, the environment the policy keeps.
    public static func identity(_ spec: ExternalModelSpec, _ description: ModelDescription, digest: (String) throws -> String) throws
        -> ExternalModelIdentity {
        let command = try spec.command.value.map { argument -> String in
            let path = spec.resolve(argument)
            var isFolder: ObjCBool = false
            guard argument != spec.command.value[0] || argument.contains("/"),
                  FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else { return argument }
            return "sha256:" + (try digest(path))
        }
        let sources = try sourceFiles(spec).map { ExternalModelIdentity.SourceFile(path: $0.relative, digest: try digest($0.absolute)) }
        let names: [String]
        switch spec.environment.value {
        case .strict: names = ModelDescription.environmentNames
        // PyTorch's CPU convolutions round differently with another thread count, so it is a version too.
        case .versions: names = ["python", "torch", "cuda", "cudnn", "device", "helper", "cpu_threads"]
        case .none: names = []
        }
        return ExternalModelIdentity(command: command, sources: sources,
                                     environment: names.map { .init(name: $0, value: description.environment[$0] ?? "none") })
    }

    /// Every file under `sources`; caches and hidden files excepted.
    static func sourceFiles(_ spec: ExternalModelSpec) throws -> [(relative: String, absolute: String)] {
        var files: [(String, String)] = []
        for source in spec.sources.value {
            let root = spec.resolve(source)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root, isDirectory: &isFolder) else {
                throw ExternalModelError.unsupported("the model source '\(source)' does not exist (\(root))")
            }
            // Named within their source (a file by its name, a folder's files by their path in it), so
            // that where the user keeps a content-identical copy changes no key.
            guard isFolder.boolValue else { files.append(((root as NSString).lastPathComponent, root)); continue }
            let entries = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).sorted()
            for entry in entries where !entry.split(separator: "/").contains(where: { $0.hasPrefix(".") || $0 == "__pycache__" })
                && !entry.hasSuffix(".pyc") {
                var entryIsFolder: ObjCBool = false
                let absolute = root + "/" + entry
                if FileManager.default.fileExists(atPath: absolute, isDirectory: &entryIsFolder), !entryIsFolder.boolValue {
                    files.append((entry, absolute))
                }
            }
        }
        return files
    }

    /// Where a store keeps the last `describe` answer for a model's files (for the read-only commands).
    public static func describeCachePath(_ spec: ExternalModelSpec, store: ArtifactStore, digest: (String) throws -> String) throws -> String {
        let files = try spec.command.value.map { argument -> String in
            let path = spec.resolve(argument)
            return FileManager.default.fileExists(atPath: path) ? try digest(path) : argument
        } + (try sourceFiles(spec).map { $0.relative + "=" + (try digest($0.absolute)) })
        return store.layout.cache + "/external/describe-" + Digest.sha256(Array(files.joined(separator: "\n").utf8)).prefix(32) + ".json"
    }
}
