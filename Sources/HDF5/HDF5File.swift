import CHDF5
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open HDF5 file. Closing is strong: every object still open inside the
/// file is closed with it, so a file handle never outlives its `close()`.
public final class HDF5File {
    public let path: String
    private(set) var id: hid_t
    private(set) var isOpen = true

    private init(id: hid_t, path: String) {
        self.id = id
        self.path = path
    }

    /// Creates a new file, replacing one that exists at `path` if `overwrite`.
    public static func create(at path: String, overwrite: Bool = true) throws -> HDF5File {
        HDF5Library.ensureInitialized()
        let access = try accessProperties(path)
        defer { H5Pclose(access) }
        let flags = overwrite ? alflow_H5F_ACC_TRUNC() : alflow_H5F_ACC_EXCL()
        let id = try HDF5Library.check(H5Fcreate(path, flags, alflow_H5P_DEFAULT(), access), "create", path)
        return HDF5File(id: id, path: path)
    }

    /// Creates a file that lives only in memory (HDF5's core driver); its
    /// bytes come out of `image()`. Nothing touches the disk, so disk errors
    /// can never leave the library holding a half-flushed file.
    /// `expectedBytes` sizes the memory the file grows by (HDF5 zero-fills
    /// each increment, so a large fixed step is costly for small files).
    public static func createInMemory(name: String, expectedBytes: Int = 0) throws -> HDF5File {
        HDF5Library.ensureInitialized()
        let access = try accessProperties(name)
        defer { H5Pclose(access) }
        let increment = min(max(expectedBytes + (16 << 10), 64 << 10), 64 << 20)
        try HDF5Library.check(status: H5Pset_fapl_core(access, increment, false), "memory file properties", name)
        let id = try HDF5Library.check(H5Fcreate(name, alflow_H5F_ACC_TRUNC(), alflow_H5P_DEFAULT(), access), "create", name)
        return HDF5File(id: id, path: name)
    }

    /// The complete file as bytes (flushes first).
    public func image() throws -> [UInt8] {
        try flush()
        let size = H5Fget_file_image(id, nil, 0)
        guard size >= 0 else { throw HDF5Error(operation: "file image", path: path, message: HDF5Library.takeErrorMessage()) }
        var written = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            written = H5Fget_file_image(id, buffer.baseAddress, size)
            count = written == size ? size : 0
        }
        guard written == size else { throw HDF5Error(operation: "file image", path: path, message: HDF5Library.takeErrorMessage()) }
        return bytes
    }

    /// Opens an existing file. A missing, truncated or foreign file throws.
    public static func open(_ path: String, writable: Bool = false) throws -> HDF5File {
        HDF5Library.ensureInitialized()
        let access = try accessProperties(path)
        defer { H5Pclose(access) }
        let flags = writable ? alflow_H5F_ACC_RDWR() : alflow_H5F_ACC_RDONLY()
        let id = try HDF5Library.check(H5Fopen(path, flags, access), "open", path)
        return HDF5File(id: id, path: path)
    }

    private static func accessProperties(_ path: String) throws -> hid_t {
        let access = try HDF5Library.check(H5Pcreate(alflow_H5P_FILE_ACCESS()), "file properties", path)
        try HDF5Library.check(status: H5Pset_fclose_degree(access, H5F_CLOSE_STRONG), "file properties", path)
        return access
    }

    /// The root group `/`.
    public func root() throws -> HDF5Group {
        try HDF5Group.open(in: id, name: "/", file: self)
    }

    /// Opens the group at an absolute or root-relative path such as `data/model`.
    public func group(_ name: String) throws -> HDF5Group {
        try HDF5Group.open(in: id, name: name, file: self)
    }

    /// Writes buffered data to the operating system (not necessarily to disk;
    /// the store follows with `fsync`).
    public func flush() throws {
        try HDF5Library.check(status: H5Fflush(id, H5F_SCOPE_GLOBAL), "flush", path)
    }

    public func close() throws {
        guard isOpen else { return }
        isOpen = false
        try HDF5Library.check(status: H5Fclose(id), "close", path)
    }

    /// Reserves `bytes` on disk for a file being written (`posix_fallocate`),
    /// so that a full disk, a quota or a file-size limit fails here, before
    /// the library holds data it could not write; closing trims the file to its content.
    public func reserve(bytes: Int) throws {
        var handle: UnsafeMutableRawPointer?
        guard H5Fget_vfd_handle(id, alflow_H5P_DEFAULT(), &handle) >= 0, let handle else {
            throw HDF5Error(operation: "reserve space", path: path, message: HDF5Library.takeErrorMessage())
        }
        let code = allocate(handle.load(as: Int32.self), bytes)
        guard code == 0 else {
            throw HDF5Error(operation: "reserve \(bytes) bytes", path: path, message: String(cString: strerror(code)))
        }
    }

    /// Closes a file on disk that `reserve` grew, cutting it back to the
    /// end of what the library allocated.
    public func closeTrimmed() throws {
        try flush()
        var end: haddr_t = 0
        try HDF5Library.check(status: H5Fget_eoa(id, &end), "end of file", path)
        try close()
        guard truncate(path, off_t(end)) == 0 else {
            throw HDF5Error(operation: "trim", path: path, message: String(cString: strerror(errno)))
        }
    }

    /// Closes a file on disk whose writes failed (disk full, file too
    /// large): the library still holds data it cannot flush, so its
    /// descriptor is pointed at /dev/null first and the close succeeds
    /// instead of failing again at exit. The caller removes the file.
    public func abandon() {
        guard isOpen else { return }
        isOpen = false
        var handle: UnsafeMutableRawPointer?
        if H5Fget_vfd_handle(id, alflow_H5P_DEFAULT(), &handle) >= 0, let handle {
            redirectToNullDevice(handle.load(as: Int32.self))
        }
        H5Fclose(id)
        _ = HDF5Library.takeErrorMessage()
    }

    deinit {
        if isOpen { H5Fclose(id) }
    }
}

/// `posix_fallocate` (0, or the error code).
private func allocate(_ descriptor: Int32, _ bytes: Int) -> Int32 {
    posix_fallocate(descriptor, 0, off_t(bytes))
}

/// Points `descriptor` at /dev/null (outside `HDF5File`, whose `open` and `close` would shadow the system calls).
private func redirectToNullDevice(_ descriptor: Int32) {
    guard descriptor >= 0 else { return }
    let null = open("/dev/null", O_RDWR)
    guard null >= 0 else { return }
    dup2(null, descriptor)
    close(null)
}
