import CHDF5

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

    deinit {
        if isOpen { H5Fclose(id) }
    }
}
