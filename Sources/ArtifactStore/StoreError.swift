import Foundation

/// Everything that can go wrong with the store, as data; the CLI renders it.
public enum StoreError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The store folder (or a file in it) cannot be created or written.
    case notWritable(path: String, reason: String)
    /// A write failed part-way (disk full, quota, I/O error); nothing was published.
    case writeFailed(path: String, reason: String)
    /// The store (or an object) was written by a newer alflow.
    case newerFormat(path: String, found: Int, supported: Int)
    /// A read failed for a reason other than damage (permissions, I/O).
    case readFailed(path: String, reason: String)
    /// A command that only reads was pointed at a folder that holds no store.
    case noStore(path: String)

    public var description: String {
        switch self {
        case .notWritable(let path, let reason):
            return "the artifact store at '\(path)' is not writable: \(reason)"
        case .writeFailed(let path, let reason):
            return "could not write '\(path)': \(reason); nothing was published and the store is unchanged"
        case .newerFormat(let path, let found, let supported):
            return "'\(path)' was written by a newer alflow (store format \(found); this alflow reads format \(supported)); upgrade alflow or use another --store"
        case .readFailed(let path, let reason):
            return "could not read '\(path)': \(reason)"
        case .noStore(let path):
            return "no alflow store at '\(path)' (this command only reads; `alflow run` creates a store, or pass --store)"
        }
    }

    /// The C library's message for the current `errno`.
    static func systemMessage(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }
}
