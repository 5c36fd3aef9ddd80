import CHDF5
#if canImport(Glibc)
import Glibc
#endif

/// An attribute value. Strings are written as variable-length UTF-8, which
/// h5py reads as `str` (and a string list as an array of `str`).
public enum HDF5AttributeValue: Equatable, Sendable {
    case string(String)
    case strings([String])
    case integer(Int64)
    case double(Double)

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var integerValue: Int64? { if case .integer(let i) = self { return i } else { return nil } }
    public var doubleValue: Double? {
        switch self {
        case .double(let d): return d
        case .integer(let i): return Double(i)
        default: return nil
        }
    }
    public var stringsValue: [String]? { if case .strings(let s) = self { return s } else { return nil } }
}

/// Anything that can carry attributes: groups (including the root) and datasets.
protocol HDF5AttributeHolder {
    var objectID: hid_t { get }
    var filePath: String { get }
    var objectDescription: String { get }
}

extension HDF5Group {
    /// Writes (or replaces) the attribute `name`.
    public func setAttribute(_ name: String, _ value: HDF5AttributeValue) throws {
        try writeAttribute(name, value)
    }

    /// Reads the attribute `name`, or nil if it does not exist.
    public func attribute(_ name: String) throws -> HDF5AttributeValue? {
        try readAttribute(name)
    }

    /// Names of every attribute on this group.
    public func attributeNames() throws -> [String] {
        var info = H5O_info_t()
        try HDF5Library.check(status: H5Oget_info2(objectID, &info, alflow_H5O_INFO_NUM_ATTRS()), "list attributes", filePath)
        var names: [String] = []
        for index in 0..<info.num_attrs {
            let length = H5Aget_name_by_idx(objectID, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, alflow_H5P_DEFAULT())
            guard length >= 0 else { throw HDF5Error(operation: "list attributes", path: filePath, message: HDF5Library.takeErrorMessage()) }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            H5Aget_name_by_idx(objectID, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, alflow_H5P_DEFAULT())
            names.append(String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return names
    }
}

extension HDF5AttributeHolder {
    func writeAttribute(_ name: String, _ value: HDF5AttributeValue) throws {
        if H5Aexists(objectID, name) > 0 {
            try HDF5Library.check(status: H5Adelete(objectID, name), "replace attribute \(name)", filePath)
        }
        switch value {
        case .integer(var i):
            try writeScalar(name, fileType: alflow_H5T_STD_I64LE(), memoryType: alflow_H5T_NATIVE_INT64(), &i)
        case .double(var d):
            try writeScalar(name, fileType: alflow_H5T_IEEE_F64LE(), memoryType: alflow_H5T_NATIVE_DOUBLE(), &d)
        case .string(let s):
            try writeStrings(name, [s], scalar: true)
        case .strings(let list):
            try writeStrings(name, list, scalar: false)
        }
    }

    private func writeScalar<T: BitwiseCopyable>(_ name: String, fileType: hid_t, memoryType: hid_t, _ value: inout T) throws {
        let space = try HDF5Library.check(H5Screate(H5S_SCALAR), "attribute space", filePath)
        defer { H5Sclose(space) }
        let attribute = try HDF5Library.check(
            H5Acreate2(objectID, name, fileType, space, alflow_H5P_DEFAULT(), alflow_H5P_DEFAULT()), "create attribute \(name)", filePath)
        defer { H5Aclose(attribute) }
        try HDF5Library.check(status: H5Awrite(attribute, memoryType, &value), "write attribute \(name)", filePath)
    }

    private func variableStringType() throws -> hid_t {
        let type = try HDF5Library.check(H5Tcopy(alflow_H5T_C_S1()), "string type", filePath)
        H5Tset_size(type, alflow_H5T_VARIABLE())
        H5Tset_cset(type, H5T_CSET_UTF8)
        return type
    }

    private func writeStrings(_ name: String, _ strings: [String], scalar: Bool) throws {
        let type = try variableStringType()
        defer { H5Tclose(type) }
        var dims = [hsize_t(strings.count)]
        let space = try HDF5Library.check(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dims, nil), "attribute space", filePath)
        defer { H5Sclose(space) }
        let attribute = try HDF5Library.check(
            H5Acreate2(objectID, name, type, space, alflow_H5P_DEFAULT(), alflow_H5P_DEFAULT()), "create attribute \(name)", filePath)
        defer { H5Aclose(attribute) }
        // Keep the C strings alive for the duration of the write.
        let cStrings = strings.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        var pointers: [UnsafePointer<CChar>?] = cStrings.map { UnsafePointer($0) }
        let status = pointers.withUnsafeMutableBufferPointer { H5Awrite(attribute, type, $0.baseAddress) }
        try HDF5Library.check(status: status, "write attribute \(name)", filePath)
    }

    func readAttribute(_ name: String) throws -> HDF5AttributeValue? {
        guard H5Aexists(objectID, name) > 0 else {
            _ = HDF5Library.takeErrorMessage()
            return nil
        }
        let attribute = try HDF5Library.check(H5Aopen(objectID, name, alflow_H5P_DEFAULT()), "open attribute \(name)", filePath)
        defer { H5Aclose(attribute) }
        let type = try HDF5Library.check(H5Aget_type(attribute), "attribute type \(name)", filePath)
        defer { H5Tclose(type) }
        let space = try HDF5Library.check(H5Aget_space(attribute), "attribute space \(name)", filePath)
        defer { H5Sclose(space) }
        let count = Int(H5Sget_simple_extent_npoints(space))
        let isScalar = H5Sget_simple_extent_type(space) == H5S_SCALAR

        switch H5Tget_class(type) {
        case H5T_INTEGER:
            guard isScalar || count == 1 else { throw unsupported(name) }
            var value: Int64 = 0
            try HDF5Library.check(status: H5Aread(attribute, alflow_H5T_NATIVE_INT64(), &value), "read attribute \(name)", filePath)
            return .integer(value)
        case H5T_FLOAT:
            guard isScalar || count == 1 else { throw unsupported(name) }
            var value: Double = 0
            try HDF5Library.check(status: H5Aread(attribute, alflow_H5T_NATIVE_DOUBLE(), &value), "read attribute \(name)", filePath)
            return .double(value)
        case H5T_STRING:
            let strings = try readStrings(attribute, type: type, count: count, name: name)
            return isScalar ? .string(strings.first ?? "") : .strings(strings)
        default:
            throw unsupported(name)
        }
    }

    private func readStrings(_ attribute: hid_t, type: hid_t, count: Int, name: String) throws -> [String] {
        if H5Tis_variable_str(type) > 0 {
            let memoryType = try variableStringType()
            defer { H5Tclose(memoryType) }
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            let status = pointers.withUnsafeMutableBufferPointer { H5Aread(attribute, memoryType, $0.baseAddress) }
            try HDF5Library.check(status: status, "read attribute \(name)", filePath)
            defer { pointers.forEach { if let p = $0 { H5free_memory(p) } } }
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }
        // Fixed-length strings (as written by some other tools).
        let width = H5Tget_size(type)
        var buffer = [UInt8](repeating: 0, count: width * count)
        try HDF5Library.check(status: H5Aread(attribute, type, &buffer), "read attribute \(name)", filePath)
        return (0..<count).map { i in
            let slice = buffer[(i * width)..<((i + 1) * width)]
            return String(decoding: slice.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    private func unsupported(_ name: String) -> HDF5Error {
        HDF5Error(operation: "read attribute \(name)", path: filePath, message: "unsupported attribute type or shape")
    }
}
