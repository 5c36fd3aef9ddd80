import Foundation

/// An advisory lock (`flock`) on a file. The kernel releases it when the
/// process dies, so a crashed run never leaves a lock that blocks others.
/// Locks are per open file, so two jobs of one process exclude each other too.
public final class FileLock {
    public enum Mode { case shared, exclusive }

    private var descriptor: Int32
    public let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    /// Waits until the lock is granted.
    public static func acquire(_ path: String, _ mode: Mode = .exclusive) throws -> FileLock {
        guard let lock = try obtain(path, mode, wait: true) else {
            throw StoreError.readFailed(path: path, reason: "the lock could not be taken")
        }
        return lock
    }

    /// Returns nil at once if another holder has a conflicting lock.
    public static func attempt(_ path: String, _ mode: Mode = .exclusive) throws -> FileLock? {
        try obtain(path, mode, wait: false)
    }

    private static func obtain(_ path: String, _ mode: Mode, wait: Bool) throws -> FileLock? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.notWritable(path: path, reason: StoreError.systemMessage()) }
        var operation = mode == .exclusive ? LOCK_EX : LOCK_SH
        if !wait { operation |= LOCK_NB }
        while flock(fd, operation) != 0 {
            let code = errno
            if code == EINTR { continue }
            close(fd)
            if code == EWOULDBLOCK { return nil }
            throw StoreError.readFailed(path: path, reason: StoreError.systemMessage(code))
        }
        return FileLock(descriptor: fd, path: path)
    }

    public func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
