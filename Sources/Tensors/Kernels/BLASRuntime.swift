import CBLAS

/// Facts about the BLAS library in use, recorded in every stored object
/// because OpenBLAS picks its kernels by CPU at run time (docs/architecture.md §7.5).
public enum BLASRuntime {
    /// OpenBLAS runs single-threaded; alflow parallelises over fixed row
    /// blocks itself so that results never depend on the thread count.
    private static let configured: Bool = {
        openblas_set_num_threads(1)
        // Training allocates the same large activation buffers every batch.
        // glibc would hand each one back to the kernel (munmap) and fault it
        // in again, zeroed, next time; keeping them in the heap removes those
        // page faults (measured: ~15% of a SmallNet epoch).
        alflow_keep_large_buffers_in_heap()
        return true
    }()

    /// Must run before the first BLAS call; every kernel entry point calls it.
    @inline(__always)
    public static func ensureConfigured() { _ = configured }

    /// The CPU kernel family OpenBLAS selected, e.g. "Haswell" or "SkylakeX".
    public static var coreName: String {
        ensureConfigured()
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// The library's build description, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH …".
    public static var configuration: String {
        ensureConfigured()
        guard let config = openblas_get_config() else { return "unknown" }
        return String(cString: config)
    }
}
