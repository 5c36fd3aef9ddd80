import Foundation

// alflow-bench: prints one JSON line per benchmark (see bench/run and bench/compare.py).
// Usage: alflow-bench [--data DIR] [--repeats N] [--only NAME[,NAME…]]
var arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}
let dataFolder = option("--data") ?? "../shared/data"
let repeats = Int(option("--repeats") ?? "") ?? 5
let only = option("--only").map { Set($0.split(separator: ",").map(String.init)) }
func wanted(_ name: String) -> Bool { only?.contains(name) ?? true }

do {
    if wanted("sgemm-peak") { EngineBenchmarks.sgemmPeak(repeats: repeats).printJSON() }
    let needsMNIST = ["mlp-forward-60k", "mlp-train-epoch", "smallnet-train-epoch"].contains(where: wanted)
    if needsMNIST {
        let mnist = try MNISTData(folder: dataFolder + "/mnist")
        if wanted("mlp-forward-60k") { EngineBenchmarks.mlpForward(mnist, repeats: repeats).printJSON() }
        if wanted("mlp-train-epoch") {
            EngineBenchmarks.trainEpoch(mnist, architecture: .mlp(hidden: [256], dropout: 0), name: "mlp-train-epoch", repeats: repeats * 4).printJSON()
        }
        if wanted("smallnet-train-epoch") {
            EngineBenchmarks.trainEpoch(mnist, architecture: .smallNet(dropout: 0), name: "smallnet-train-epoch", repeats: repeats).printJSON()
        }
    }
} catch {
    FileHandle.standardError.write(Data("alflow-bench: \(error)\n".utf8))
    exit(1)
}
