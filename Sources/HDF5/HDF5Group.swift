import CHDF5

/// A group inside an HDF5 file: holds datasets, subgroups and attributes.
public final class HDF5Group: HDF5AttributeHolder {
    let id: hid_t
    /// The file stays open as long as any of its groups is alive.
    let file: HDF5File
    public let name: String
    public var filePath: String { file.path }

    init(id: hid_t, name: String, file: HDF5File) {
        self.id = id
        self.name = name
        self.file = file
    }

    static func open(in location: hid_t, name: String, file: HDF5File) throws -> HDF5Group {
        let id = try HDF5Library.check(H5Gopen2(location, name, alflow_H5P_DEFAULT()), "open group \(name)", file.path)
        return HDF5Group(id: id, name: name, file: file)
    }

    var objectID: hid_t { id }
    var objectDescription: String { name }

    /// Creates a subgroup, creating missing intermediate groups (`a/b/c`).
    public func createGroup(_ path: String) throws -> HDF5Group {
        let links = try intermediateGroupLinks()
        defer { H5Pclose(links) }
        let gid = try HDF5Library.check(
            H5Gcreate2(id, path, links, alflow_H5P_DEFAULT(), alflow_H5P_DEFAULT()), "create group \(path)", filePath)
        return HDF5Group(id: gid, name: path, file: file)
    }

    public func group(_ path: String) throws -> HDF5Group {
        try HDF5Group.open(in: id, name: path, file: file)
    }

    /// True if a link (dataset or group) of that name exists, without raising
    /// an HDF5 error for missing intermediate groups.
    public func contains(_ path: String) -> Bool {
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += prefix.isEmpty ? String(component) : "/" + component
            if H5Lexists(id, prefix, alflow_H5P_DEFAULT()) <= 0 {
                _ = HDF5Library.takeErrorMessage()
                return false
            }
        }
        return true
    }

    /// Names of the direct children, in the file's (alphabetical) link order.
    public func childNames() throws -> [String] {
        var info = H5G_info_t()
        try HDF5Library.check(status: H5Gget_info(id, &info), "list group \(name)", filePath)
        var names: [String] = []
        for index in 0..<info.nlinks {
            let length = H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, alflow_H5P_DEFAULT())
            guard length >= 0 else { throw HDF5Error(operation: "list group \(name)", path: filePath, message: HDF5Library.takeErrorMessage()) }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, alflow_H5P_DEFAULT())
            names.append(String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return names
    }

    /// True if the child `name` is a group (as opposed to a dataset).
    public func isGroup(_ name: String) throws -> Bool {
        var info = H5O_info_t()
        try HDF5Library.check(status: H5Oget_info_by_name2(id, name, &info, alflow_H5O_INFO_BASIC(), alflow_H5P_DEFAULT()),
                              "inspect \(name)", filePath)
        return info.type == H5O_TYPE_GROUP
    }

    /// Paths (relative to this group) of every dataset below it, depth first,
    /// in name order.
    public func datasetPaths() throws -> [String] {
        var result: [String] = []
        for child in try childNames() {
            if try isGroup(child) {
                let sub = try group(child)
                result += try sub.datasetPaths().map { child + "/" + $0 }
            } else {
                result.append(child)
            }
        }
        return result
    }

    deinit { if file.isOpen { H5Gclose(id) } }
}
