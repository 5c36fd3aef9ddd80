import Foundation
import Tensors

// The BLAS kernel alflow itself runs with (`alflow run` on a new native store):
// without OPENBLAS_CORETYPE, re-execute with the fastest kernel this CPU runs.
// A user's explicit setting wins (and shows in sgemm-peak's detail).
if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil, let core = BLASKernel.native() {
    BLASKernel.reexecute(with: core)
}

// alflow-bench: prints one JSON line per benchmark (see bench/run and bench/compare.py).
// Usage: alflow-bench [--data DIR] [--repeats N] [--only NAME[,NAME…]] [--export FILE]
// The Noise Stability deviations are written to --export for the PyTorch k-center run.
let arguments = Array(CommandLine.arguments.dropFirst())
let usage = "usage: alflow-bench [--data DIR] [--repeats N] [--only NAME[,NAME…]] [--export FILE]\n"
let known: Set<String> = ["--data", "--repeats", "--only", "--export"]
// Options come in name/value pairs; anything else (including --help) prints the usage.
for (offset, argument) in arguments.enumerated() where offset % 2 == 0 && !known.contains(argument) {
    let asked = argument == "--help" || argument == "-h"
    let message = asked ? usage : "alflow-bench: unknown argument '\(argument)'\n" + usage
    FileHandle.standardError.write(Data(message.utf8))
    exit(asked ? 0 : 64)
}
func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}
let dataFolder = option("--data") ?? ".build/bench-data"   // bench/run links MNIST there from the store
let repeats = Int(option("--repeats") ?? "") ?? 5
let exportPath = option("--export") ?? "bench/results/deviations.bin"
let only = option("--only").map { Set($0.split(separator: ",").map(String.init)) }
func wanted(_ name: String) -> Bool { only?.contains(name) ?? true }

do {
    if wanted("sgemm-peak") { EngineBenchmarks.sgemmPeak(repeats: repeats).printJSON() }
    if wanted("sgemm-core") { EngineBenchmarks.sgemmPeak(repeats: repeats, threads: 1).printJSON() }
    if wanted("plan-3x5x10") { try PipelineBenchmarks.planning(repeats: repeats * 2).printJSON() }
    let needsMNIST = ["mlp-forward-60k", "mlp-train-epoch", "smallnet-train-epoch", "ns-score-59k", "kcenter-59k",
                      "smallnet-infer-10k", "smallnet-mc-dropout-1kx30", "smallnet-ns-1kx30", "smallnet-train-200x50ep"].contains(where: wanted)
    if needsMNIST {
        let mnist = try MNISTData(folder: dataFolder + "/mnist")
        if wanted("mlp-forward-60k") { EngineBenchmarks.mlpForward(mnist, repeats: repeats).printJSON() }
        if wanted("mlp-train-epoch") {
            EngineBenchmarks.trainEpoch(mnist, architecture: .mlp(hidden: [256], dropout: 0), name: "mlp-train-epoch", repeats: repeats * 4).printJSON()
        }
        if wanted("smallnet-train-epoch") {
            EngineBenchmarks.trainEpoch(mnist, architecture: .smallNet(dropout: 0), name: "smallnet-train-epoch", repeats: repeats).printJSON()
        }
        if wanted("smallnet-infer-10k") { SmallNetBenchmarks.inference(mnist, repeats: repeats).printJSON() }
        if wanted("smallnet-mc-dropout-1kx30") { SmallNetBenchmarks.monteCarloDropout(mnist, repeats: repeats).printJSON() }
        if wanted("smallnet-ns-1kx30") { SmallNetBenchmarks.noiseStability(mnist, repeats: repeats).printJSON() }
        if wanted("smallnet-train-200x50ep") { SmallNetBenchmarks.training(mnist, repeats: max(1, repeats / 2)).printJSON() }
        if wanted("ns-score-59k") || wanted("kcenter-59k") {
            let (network, parameters, candidates) = StrategyBenchmarks.trainedMLP(mnist)
            let (result, deviations) = StrategyBenchmarks.noiseStabilityScoring(network, parameters, candidates, repeats: max(1, repeats / 2))
            if wanted("ns-score-59k") { result.printJSON() }
            try StrategyBenchmarks.export(deviations, to: exportPath)
            if wanted("kcenter-59k") { StrategyBenchmarks.kCenter(deviations, repeats: repeats).printJSON() }
        }
    }
} catch {
    FileHandle.standardError.write(Data("alflow-bench: \(error)\n".utf8))
    exit(1)
}
