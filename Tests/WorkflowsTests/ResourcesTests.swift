import Foundation
import TestSupport
import Testing
import Workflows

/// `resources:` (what Slurm jobs ask for, by stage kind) is validated like
/// every field, with file:line:col errors; `default` fills what a kind omits.
@Suite struct ResourcesTests {
    static let base = """
    name: r
    seeds: [0]
    dataset: {builtin: digits}
    model: {mlp: {hidden: [8]}}
    loop: {initial: 20, query: 10, cycles: 2}
    strategies: {random: {}}

    """

    func load(_ resources: String) throws -> WorkflowLoader.Outcome {
        let dir = try TemporaryDirectory()
        let path = dir.file("w.yaml")
        try Data((Self.base + resources).utf8).write(to: URL(fileURLWithPath: path))
        return WorkflowLoader.load(path)
    }

    @Test func requestsByKindWithDefaults() throws {
        let outcome = try load("resources:\n  train: {cpus: 2, memory: 4G, gpus: 0, time: 30m}\n  default: {cpus: 1, memory: 512M, time: '1:30:00'}\n")
        let resources = try #require(outcome.workflow?.resources, "\(outcome.diagnostics.map(\.rendered))")
        #expect(resources.request(for: .train) == ResourceRequest(cpus: 2, memoryMB: 4096, gpus: 0, minutes: 30))
        #expect(resources.request(for: .select) == ResourceRequest(cpus: 1, memoryMB: 512, gpus: nil, minutes: 90))
        let chain = ResourceRequest.combined([resources.request(for: .train), resources.request(for: .select)])
        #expect(chain == ResourceRequest(cpus: 2, memoryMB: 4096, gpus: 0, minutes: 120))
        #expect(try load("").workflow?.resources == ResourcesSpec())
    }

    @Test func durationsAndAmounts() {
        #expect(ResourceRequest.parseTime("2h") == 120 && ResourceRequest.parseTime("1h30m") == 90 && ResourceRequest.parseTime("90s") == 2)
        #expect(ResourceRequest.parseTime("45") == 45 && ResourceRequest.parseTime("1-12:00:00") == 2160 && ResourceRequest.parseTime("10:30") == 11)
        #expect(ResourceRequest.parseTime("99999999999999999d") == nil && ResourceRequest.parseTime("9999999-00:00:00") == nil)
        #expect(ResourceRequest.parseTime("soon") == nil && ResourceRequest.parseTime("0m") == nil && ResourceRequest.parseTime("1h30") == nil)
        #expect(ResourceRequest.parseMemory("4G") == 4096 && ResourceRequest.parseMemory("1.5GB") == 1536 && ResourceRequest.parseMemory("300") == 300)
        #expect(ResourceRequest.parseMemory("lots") == nil && ResourceRequest.parseMemory("-1G") == nil && ResourceRequest.parseMemory("0") == nil)
    }

    @Test func mistakesAreErrorsAtTheirPlace() throws {
        let outcome = try load("resources:\n  trian: {cpus: 2}\n  train: {cpus: 0, memory: lots, time: soon, gpu: 1}\n")
        #expect(outcome.workflow == nil)
        let text = outcome.diagnostics.map(\.rendered).joined(separator: "\n")
        #expect(text.contains("w.yaml:8:3: error: unknown key 'trian' in 'resources'") && text.contains("did you mean 'train'?"), "\(text)")
        #expect(text.contains("w.yaml:9:17: error: 'resources.train.cpus' must be between 1 and 100000, found 0"), "\(text)")
        #expect(text.contains("w.yaml:9:28: error: 'resources.train.memory' must be an amount of memory"), "\(text)")
        #expect(text.contains("w.yaml:9:40: error: 'resources.train.time' must be a duration"), "\(text)")
        #expect(text.contains("unknown key 'gpu' in 'resources.train'") && text.contains("did you mean 'gpus'?"), "\(text)")
    }
}
