import ArtifactStore
import Foundation
import Tensors

/// Before anything else runs, `alflow run` (and `exec-stage`, what its Slurm
/// jobs run) makes OpenBLAS use the store's
/// pinned kernel, or for a new store the kernel `--numerics` asks for
/// (`native`: the fastest this CPU runs correctly; `portable`: Haswell, which
/// every x86-64 machine with AVX2 and FMA runs). Precedence: the store's pin,
/// then an explicit `--numerics portable`, then a user's OPENBLAS_CORETYPE
/// (reported), then the native kernel.
enum NumericsSelection {
    static func prepare(_ arguments: [String]) {
        guard arguments.count > 1, ["run", "exec-stage"].contains(arguments[1]) else { return }
        let environment = ProcessInfo.processInfo.environment
        let root = value(of: "--store", in: arguments) ?? environment["ALFLOW_STORE"] ?? "artifacts"
        let mode = value(of: "--numerics", in: arguments)
        let chosenByUs = environment["ALFLOW_BLAS_REEXEC"]
        let user = environment["OPENBLAS_CORETYPE"].flatMap { $0 == chosenByUs || $0.isEmpty ? nil : $0 }
        // After the re-execution the notes were already printed once.
        let note: (String) -> Void = { if chosenByUs == nil { Console.err($0) } }
        let desired: String?
        if let pinned = StoreNumerics.read(root: root) {
            guard BLASKernel.canRun(pinned.blasCore) else {
                Console.err("""
                    alflow: error: the store at '\(root)' pins the BLAS kernel \(pinned.blasCore), which this CPU cannot run; \
                    its results would not be reproducible here
                      hint: run on a machine that supports \(pinned.blasCore), or use another --store (create it with \
                    --numerics portable to share it between machines)
                    """)
                exit(1)
            }
            if let mode, mode != pinned.mode {
                note("alflow: note: the store was created with --numerics \(pinned.mode) (\(pinned.blasCore)); --numerics \(mode) applies to new stores only")
            }
            if let user, user.lowercased() != pinned.blasCore.lowercased() {
                note("alflow: note: the store pins the \(pinned.blasCore) kernel; OPENBLAS_CORETYPE=\(user) is not used")
            }
            desired = pinned.blasCore
        } else if mode == "portable" {
            guard BLASKernel.canRun(BLASKernel.portable) else {
                Console.err("alflow: error: --numerics portable needs AVX2 and FMA, which this CPU lacks\n  hint: use --numerics native")
                exit(1)
            }
            desired = BLASKernel.portable
        } else if let user {
            note("alflow: note: OPENBLAS_CORETYPE=\(user) is set; the new store will pin that kernel")
            desired = user
        } else {
            desired = BLASKernel.native()
        }
        if let desired { BLASKernel.reexecute(with: desired) }
    }

    /// `--name value` or `--name=value`.
    static func value(of name: String, in arguments: [String]) -> String? {
        for (index, argument) in arguments.enumerated() {
            if argument == name, index + 1 < arguments.count { return arguments[index + 1] }
            if argument.hasPrefix(name + "=") { return String(argument.dropFirst(name.count + 1)) }
        }
        return nil
    }
}
