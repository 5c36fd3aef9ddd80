import ArgumentParser
import ArtifactStore

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-check every object in the store (format, key, payload digest); exit 1 if any is damaged.")

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let store = try storeOptions.open()
        let (checked, problems) = store.verifyAll()
        for problem in problems { Console.err("\(problem.path): damaged: \(problem.reason)") }
        Console.out("\(checked) objects checked, \(problems.count) damaged")
        if !problems.isEmpty {
            Console.err("hint: damaged objects are moved to quarantine/ and recomputed by the next run that needs them")
            throw Console.failure
        }
    }
}
