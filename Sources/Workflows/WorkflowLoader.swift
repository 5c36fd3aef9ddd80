import Foundation

/// Reads, parses, overrides and validates workflow files.
public enum WorkflowLoader {
    public struct Outcome: Sendable {
        /// The workflow if it has no errors.
        public let workflow: Workflow?
        /// Every error and warning, in file order.
        public let diagnostics: [Diagnostic]
    }

    public static func load(_ path: String, overrides: [String] = [], limits: YAMLLimits = YAMLLimits()) -> Outcome {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let display = path
        let bag = DiagnosticBag()
        guard let data = FileManager.default.contents(atPath: absolute) else {
            let exists = FileManager.default.fileExists(atPath: absolute)
            bag.error(SourceLocation(file: display, line: 0, column: 0), exists ? "cannot read the file" : "no such file")
            return Outcome(workflow: nil, diagnostics: bag.sorted)
        }
        var root: YAMLNode?
        do {
            root = try YAMLParser.parse(Array(data), file: display, limits: limits)
        } catch let error as YAMLError {
            bag.error(error.location, error.message)
            return Outcome(workflow: nil, diagnostics: bag.sorted)
        } catch {
            bag.error(SourceLocation(file: display, line: 0, column: 0), "\(error)")
            return Outcome(workflow: nil, diagnostics: bag.sorted)
        }
        for argument in overrides {
            switch Override.parse(argument).flatMap({ $0.apply(to: root) }) {
            case .success(let updated): root = updated
            case .failure(let diagnostic): bag.append(diagnostic)
            }
        }
        guard let document = root else {
            bag.error(SourceLocation(file: display, line: 1, column: 1), "the workflow file is empty",
                      hint: "start from workflows/quickstart.yaml")
            return Outcome(workflow: nil, diagnostics: bag.sorted)
        }
        let folder = (absolute as NSString).deletingLastPathComponent
        let workflow = WorkflowDecoder(file: absolute, folder: folder, bag: bag).decode(document)
        return Outcome(workflow: bag.hasErrors ? nil : workflow, diagnostics: bag.sorted)
    }
}

