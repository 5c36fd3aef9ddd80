import CHDF5

// Row slices: reading or writing rows `start..<start+count` of a dataset
// (its first dimension) through an HDF5 hyperslab, so a reader of a few rows
// or a writer of one block never holds the whole dataset. Works for
// contiguous and chunked (filtered) layouts alike.

extension HDF5Group {
    /// Rows per chunk of the dataset at `path` and whether a filter
    /// (compression) applies to them, or nil if it is not chunked (contiguous
    /// or compact). Readers align their blocks to the chunks so that a
    /// filtered chunk is decompressed once per block.
    public func chunking(_ path: String) throws -> (rows: Int, filtered: Bool)? {
        let dataset = try HDF5Library.check(H5Dopen2(id, path, alflow_H5P_DEFAULT()), "open dataset \(path)", filePath)
        defer { H5Dclose(dataset) }
        let create = try HDF5Library.check(H5Dget_create_plist(dataset), "properties of \(path)", filePath)
        defer { H5Pclose(create) }
        guard H5Pget_layout(create) == H5D_CHUNKED else { return nil }
        var dims = [hsize_t](repeating: 0, count: 32)
        let rank = H5Pget_chunk(create, Int32(dims.count), &dims)
        guard rank >= 1 else { return nil }
        return (Int(dims[0]), H5Pget_nfilters(create) > 0)
    }

    /// Reads rows `rows` of the dataset at `path` (its first dimension), converted to native byte order.
    public func readRows(_ path: String, _ rows: Range<Int>) throws -> HDF5Array {
        let dataset = try HDF5Library.check(H5Dopen2(id, path, alflow_H5P_DEFAULT()), "open dataset \(path)", filePath)
        defer { H5Dclose(dataset) }
        let info = try datasetInfo(path)
        guard let total = info.shape.first, rows.lowerBound >= 0, rows.upperBound <= total else {
            throw HDF5Error(operation: "read rows \(rows) of \(path)", path: filePath, message: "outside the dataset's shape \(info.shape)")
        }
        let shape = [rows.count] + info.shape.dropFirst()
        let count = shape.reduce(1, *)
        var storage = HDF5Array.allocate(info.elementType, count: count)
        guard count > 0 else { return HDF5Array(storage: storage, shape: shape) }
        let (file, memory) = try spaces(dataset, path: path, shape: info.shape, rows: rows)
        defer { H5Sclose(file); H5Sclose(memory) }
        let memoryType = info.elementType.memoryType
        let status = storage.withUnsafeMutableBytes { H5Dread(dataset, memoryType, memory, file, alflow_H5P_DEFAULT(), $0.baseAddress) }
        try HDF5Library.check(status: status, "read rows \(rows) of \(path)", filePath)
        return HDF5Array(storage: storage, shape: shape)
    }

    /// Creates an empty dataset of `shape` at `path`, to be filled with `writeRows`.
    public func createDataset(_ path: String, elementType: HDF5ElementType, shape: [Int], options: HDF5DatasetOptions) throws {
        let dims = shape.map { hsize_t($0) }
        let space = try HDF5Library.check(H5Screate_simple(Int32(dims.count), dims, nil), "dataspace for \(path)", filePath)
        defer { H5Sclose(space) }
        let chunk = options.chunkShape.flatMap { chunk in
            shape.allSatisfy { $0 > 0 } ? zip(chunk, shape).map { max(1, min($0, $1)) } : nil
        }
        let create = try datasetCreationProperties(chunk: chunk, options: options, path: path)
        defer { H5Pclose(create) }
        let links = try intermediateGroupLinks()
        defer { H5Pclose(links) }
        let dataset = try HDF5Library.check(
            H5Dcreate2(id, path, elementType.fileType, space, links, create, alflow_H5P_DEFAULT()), "create dataset \(path)", filePath)
        H5Dclose(dataset)
    }

    /// Writes `array` (whole rows) into the dataset at `path` starting at row `start`.
    public func writeRows(_ array: HDF5Array, at path: String, start: Int) throws {
        let dataset = try HDF5Library.check(H5Dopen2(id, path, alflow_H5P_DEFAULT()), "open dataset \(path)", filePath)
        defer { H5Dclose(dataset) }
        let info = try datasetInfo(path)
        let rows = start..<(start + (array.shape.first ?? 0))
        guard info.elementType == array.elementType, Array(info.shape.dropFirst()) == Array(array.shape.dropFirst()),
              let total = info.shape.first, rows.lowerBound >= 0, rows.upperBound <= total else {
            throw HDF5Error(operation: "write rows \(rows) of \(path)", path: filePath,
                            message: "\(array.elementType.rawValue) \(array.shape) does not fit \(info.elementType.rawValue) \(info.shape)")
        }
        guard array.count > 0 else { return }
        let (file, memory) = try spaces(dataset, path: path, shape: info.shape, rows: rows)
        defer { H5Sclose(file); H5Sclose(memory) }
        let status = array.withUnsafeBytes { bytes in
            H5Dwrite(dataset, array.elementType.memoryType, memory, file, alflow_H5P_DEFAULT(), bytes.baseAddress)
        }
        try HDF5Library.check(status: status, "write rows \(rows) of \(path)", filePath)
    }

    /// The file space with `rows` selected, and a memory space of just those rows.
    private func spaces(_ dataset: hid_t, path: String, shape: [Int], rows: Range<Int>) throws -> (file: hid_t, memory: hid_t) {
        let file = try HDF5Library.check(H5Dget_space(dataset), "dataspace of \(path)", filePath)
        let start = [hsize_t(rows.lowerBound)] + shape.dropFirst().map { _ in hsize_t(0) }
        let count = [hsize_t(rows.count)] + shape.dropFirst().map { hsize_t($0) }
        let selected = H5Sselect_hyperslab(file, H5S_SELECT_SET, start, nil, count, nil)
        guard selected >= 0 else {
            H5Sclose(file)
            throw HDF5Error(operation: "select rows \(rows) of \(path)", path: filePath, message: HDF5Library.takeErrorMessage())
        }
        let memory = H5Screate_simple(Int32(count.count), count, nil)
        guard memory >= 0 else {
            H5Sclose(file)
            throw HDF5Error(operation: "memory space for \(path)", path: filePath, message: HDF5Library.takeErrorMessage())
        }
        return (file, memory)
    }
}
