import CHDF5

/// How a dataset is laid out on disk.
public struct HDF5DatasetOptions: Sendable, Equatable {
    /// Chunk shape; nil picks one automatically when compression is on.
    public var chunkShape: [Int]?
    /// gzip (deflate) level 1…9, or nil for none.
    public var deflateLevel: Int?
    /// Byte-shuffle filter before deflate (helps floats compress).
    public var shuffle: Bool

    public init(chunkShape: [Int]? = nil, deflateLevel: Int? = nil, shuffle: Bool = false) {
        self.chunkShape = chunkShape
        self.deflateLevel = deflateLevel
        self.shuffle = shuffle
    }

    public static let contiguous = HDF5DatasetOptions()
    public static let compressed = HDF5DatasetOptions(deflateLevel: 4, shuffle: true)
}

/// Shape and element type of a stored dataset.
public struct HDF5DatasetInfo: Equatable, Sendable {
    public let elementType: HDF5ElementType
    public let shape: [Int]

    public init(elementType: HDF5ElementType, shape: [Int]) {
        self.elementType = elementType
        self.shape = shape
    }
}

extension HDF5Group {
    /// Writes `array` as a new dataset at `path` (intermediate groups are created).
    public func write(_ array: HDF5Array, at path: String, options: HDF5DatasetOptions = .contiguous) throws {
        let dims = array.shape.map { hsize_t($0) }
        let space = try HDF5Library.check(
            array.shape.isEmpty ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(dims.count), dims, nil),
            "dataspace for \(path)", filePath)
        defer { H5Sclose(space) }

        let create = try datasetCreationProperties(chunk: chunkShape(for: array, options: options), options: options, path: path)
        defer { H5Pclose(create) }
        let links = try intermediateGroupLinks()
        defer { H5Pclose(links) }

        let dataset = try HDF5Library.check(
            H5Dcreate2(id, path, array.elementType.fileType, space, links, create, alflow_H5P_DEFAULT()),
            "create dataset \(path)", filePath)
        defer { H5Dclose(dataset) }
        guard array.count > 0 else { return }
        let status = array.withUnsafeBytes { bytes in
            H5Dwrite(dataset, array.elementType.memoryType, alflow_H5S_ALL(), alflow_H5S_ALL(), alflow_H5P_DEFAULT(), bytes.baseAddress)
        }
        try HDF5Library.check(status: status, "write dataset \(path)", filePath)
    }

    /// Convenience for typed arrays.
    public func write<T: HDF5Element>(_ values: [T], shape: [Int], at path: String, options: HDF5DatasetOptions = .contiguous) throws {
        try write(HDF5Array(values, shape: shape), at: path, options: options)
    }

    /// Dataset creation properties: chunked by `chunk` (elements per
    /// dimension) with the filters of `options`, or contiguous without it.
    /// The caller closes the list.
    func datasetCreationProperties(chunk: [Int]?, options: HDF5DatasetOptions, path: String) throws -> hid_t {
        let create = try HDF5Library.check(H5Pcreate(alflow_H5P_DATASET_CREATE()), "dataset properties", filePath)
        guard let chunk else { return create }
        do {
            let chunkDims = chunk.map { hsize_t($0) }
            try HDF5Library.check(status: H5Pset_chunk(create, Int32(chunkDims.count), chunkDims), "chunk \(path)", filePath)
            if options.shuffle {
                try HDF5Library.check(status: H5Pset_shuffle(create), "shuffle \(path)", filePath)
            }
            if let level = options.deflateLevel {
                try HDF5Library.check(status: H5Pset_deflate(create, UInt32(max(1, min(9, level)))), "deflate \(path)", filePath)
            }
        } catch {
            H5Pclose(create)
            throw error
        }
        return create
    }

    /// Link creation properties that create missing intermediate groups. The caller closes the list.
    func intermediateGroupLinks() throws -> hid_t {
        let links = try HDF5Library.check(H5Pcreate(alflow_H5P_LINK_CREATE()), "link properties", filePath)
        H5Pset_create_intermediate_group(links, 1)
        return links
    }

    /// Chunks of whole rows, about 1 MiB each, when a filter needs chunking.
    private func chunkShape(for array: HDF5Array, options: HDF5DatasetOptions) -> [Int]? {
        guard !array.shape.isEmpty, array.count > 0 else { return nil }
        if let explicit = options.chunkShape {
            return zip(explicit, array.shape).map { max(1, min($0, $1)) }
        }
        guard options.deflateLevel != nil || options.shuffle else { return nil }
        let rowElements = array.shape.dropFirst().reduce(1, *)
        let rowBytes = max(1, rowElements * array.elementType.byteWidth)
        let rows = max(1, min(array.shape[0], (1 << 20) / rowBytes))
        return [rows] + array.shape.dropFirst()
    }

    /// Shape and element type of the dataset at `path`.
    public func datasetInfo(_ path: String) throws -> HDF5DatasetInfo {
        let dataset = try HDF5Library.check(H5Dopen2(id, path, alflow_H5P_DEFAULT()), "open dataset \(path)", filePath)
        defer { H5Dclose(dataset) }
        return try info(of: dataset, path: path)
    }

    private func info(of dataset: hid_t, path: String) throws -> HDF5DatasetInfo {
        let space = try HDF5Library.check(H5Dget_space(dataset), "dataspace of \(path)", filePath)
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        guard rank >= 0 else { throw HDF5Error(operation: "rank of \(path)", path: filePath, message: HDF5Library.takeErrorMessage()) }
        var dims = [hsize_t](repeating: 0, count: rank)
        if rank > 0 { H5Sget_simple_extent_dims(space, &dims, nil) }

        let type = try HDF5Library.check(H5Dget_type(dataset), "type of \(path)", filePath)
        defer { H5Tclose(type) }
        guard let element = Self.elementType(of: type) else {
            throw HDF5Error(operation: "read dataset \(path)", path: filePath,
                            message: "unsupported element type (alflow reads float32/64, int32/64 and uint8)")
        }
        return HDF5DatasetInfo(elementType: element, shape: dims.map { Int($0) })
    }

    static func elementType(of type: hid_t) -> HDF5ElementType? {
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_FLOAT:
            return size == 4 ? .float32 : size == 8 ? .float64 : nil
        case H5T_INTEGER:
            let signed = H5Tget_sign(type) == H5T_SGN_2
            switch (size, signed) {
            case (1, false): return .uint8
            case (4, true): return .int32
            case (8, true): return .int64
            default: return nil
            }
        default:
            return nil
        }
    }

    /// Reads the whole dataset at `path`, converted to native byte order.
    public func read(_ path: String) throws -> HDF5Array {
        let dataset = try HDF5Library.check(H5Dopen2(id, path, alflow_H5P_DEFAULT()), "open dataset \(path)", filePath)
        defer { H5Dclose(dataset) }
        let info = try info(of: dataset, path: path)
        let count = info.shape.reduce(1, *)
        var storage = HDF5Array.allocate(info.elementType, count: count)
        if count > 0 {
            let memoryType = info.elementType.memoryType
            let status = storage.withUnsafeMutableBytes {
                H5Dread(dataset, memoryType, alflow_H5S_ALL(), alflow_H5S_ALL(), alflow_H5P_DEFAULT(), $0.baseAddress)
            }
            try HDF5Library.check(status: status, "read dataset \(path)", filePath)
        }
        return HDF5Array(storage: storage, shape: info.shape)
    }

    /// Reads a dataset that must hold elements of type `T`.
    public func read<T: HDF5Element>(_ path: String, as type: T.Type) throws -> (values: [T], shape: [Int]) {
        let array = try read(path)
        guard let values = array.values(as: T.self) else {
            throw HDF5Error(operation: "read dataset \(path)", path: filePath,
                            message: "expected \(T.elementType.rawValue) elements, found \(array.elementType.rawValue)")
        }
        return (values, array.shape)
    }
}
