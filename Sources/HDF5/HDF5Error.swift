import CHDF5

/// An HDF5 library failure, carrying the operation that failed, the file it
/// concerned and the library's own messages (innermost first).
public struct HDF5Error: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let path: String
    public let message: String

    public init(operation: String, path: String, message: String) {
        self.operation = operation
        self.path = path
        self.message = message
    }

    public var description: String {
        let detail = message.isEmpty ? "" : ": \(message)"
        return "HDF5 \(operation) failed for '\(path)'\(detail)"
    }
}

/// One-time library set-up and the conversion of HDF5's error stack into
/// Swift errors. HDF5 prints its error stack to stderr by default; that is
/// turned off here once, and every failing call reads the stack instead.
enum HDF5Library {
    private static let initialized: Bool = {
        H5open()
        alflow_h5_silence_errors()
        return true
    }()

    static func ensureInitialized() {
        _ = initialized
        // The "auto print" switch is per thread in thread-safe builds.
        alflow_h5_silence_errors()
    }

    static func takeErrorMessage() -> String {
        var buffer = [CChar](repeating: 0, count: 2048)
        let capacity = buffer.count
        buffer.withUnsafeMutableBufferPointer { alflow_h5_take_error_message($0.baseAddress, capacity) }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Throws if an identifier-returning call failed (negative id).
    @discardableResult
    static func check(_ id: hid_t, _ operation: String, _ path: String) throws -> hid_t {
        if id < 0 { throw HDF5Error(operation: operation, path: path, message: takeErrorMessage()) }
        return id
    }

    /// Throws if a status-returning call failed (negative status).
    static func check(status: herr_t, _ operation: String, _ path: String) throws {
        if status < 0 { throw HDF5Error(operation: operation, path: path, message: takeErrorMessage()) }
    }
}
