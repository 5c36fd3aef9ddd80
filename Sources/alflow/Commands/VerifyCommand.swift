import ArgumentParser
import ArtifactStore

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-check every object in the store (format, key, payload digest); exit 1 if any is damaged.")

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let store = try storeOptions.openReadOnly()
        let (checked, problems) = store.verifyAll()
        for problem in problems { Console.err("\(problem.path): damaged: \(problem.reason)") }
        Console.out("\(checked) objects checked, \(problems.count) damaged")
        if !problems.isEmpty {
            Console.err("hint: the next `alflow run` of a workflow whose plan holds a damaged object moves it to quarantine/ and recomputes it")
            throw Console.failure
        }
    }
}
