import CBLAS
import Foundation

/// Which OpenBLAS kernel family ("core") alflow runs, chosen by alflow from
/// the CPU's features rather than by OpenBLAS's own table (Debian's
/// OpenBLAS 0.3.21 does not know recent Xeons and falls back to the slow
/// `Prescott` kernels). Results are bit-identical only between processes that
/// run the same kernel, so a store pins one (`StoreNumerics`).
public enum BLASKernel {
    /// The fastest kernel known to be correct here ("native"), or nil to let OpenBLAS choose.
    public static func native(features: Int = features) -> String? {
        if features & 4 != 0 { return "SkylakeX" }
        if features & 3 == 3 { return "Haswell" }
        return nil
    }

    /// The kernel every x86-64 machine with AVX2 and FMA runs ("portable").
    public static let portable = "Haswell"

    /// Whether this CPU can run `core` (kernels alflow does not know are assumed runnable).
    public static func canRun(_ core: String, features: Int = features) -> Bool {
        switch core.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": return features & 4 != 0
        case "haswell", "zen": return features & 3 == 3
        default: return true
        }
    }

    /// The CPU's features (`ALFLOW_TEST_CPU_FEATURES` stands in for another machine in tests).
    public static var features: Int {
        if let forced = ProcessInfo.processInfo.environment["ALFLOW_TEST_CPU_FEATURES"].flatMap(Int.init) { return forced }
        return Int(alflow_cpu_features())
    }

    /// Makes OpenBLAS use `core` by re-executing this program with
    /// `OPENBLAS_CORETYPE` set — OpenBLAS reads it only when it loads, before
    /// `main`. Returns only if the variable already holds `core` (or the
    /// re-execution failed, which the caller detects through `BLASRuntime.coreName`).
    public static func reexecute(with core: String) {
        let environment = ProcessInfo.processInfo.environment
        guard environment["OPENBLAS_CORETYPE"] != core, environment["ALFLOW_BLAS_REEXEC"] != core else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv("ALFLOW_BLAS_REEXEC", core, 1)
        let arguments = CommandLine.arguments
        var pointers = arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", &pointers)
        // Not reached unless exec failed; carry on with OpenBLAS's own choice.
        for pointer in pointers { free(pointer) }
    }
}
