import Foundation
import HDF5

/// Reading and writing one object file (standard HDF5: h5py, h5dump and
/// HDFView open it). Layout:
///
///     /                 attributes: alflow_format, kind, key, parameters,
///                       inputs, payload_digest, alflow_version, created,
///                       blas_core, blas_config, compute_seconds
///     /data/<path>      one dataset per array (large ones chunked and shuffle+gzip
///                       where that pays: `CompressionChoice`)
///     /data             attributes: the stage's own metadata
enum ArtifactFile {
    /// Builds the object in memory and writes its bytes to `path` with
    /// plain POSIX calls, so a full disk or a quota is an ordinary error.
    static func write(_ header: ArtifactHeader, _ content: ArtifactContent, to path: String) throws {
        let bytes = try image(header, content, name: path)
        try writeBytes(bytes, to: path)
    }

    static func writeBytes(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.writeFailed(path: path, reason: StoreError.systemMessage()) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw StoreError.writeFailed(path: path, reason: StoreError.systemMessage())
            }
            offset += written
        }
    }

    static func image(_ header: ArtifactHeader, _ content: ArtifactContent, name: String) throws -> [UInt8] {
        let payload = content.arrays.values.reduce(0) { $0 + $1.count * $1.elementType.byteWidth }
        let file = try HDF5File.createInMemory(name: name, expectedBytes: payload + payload / 8)
        let root = try file.root()
        let data = try root.createGroup("data")
        for name in content.arrays.keys.sorted() {
            guard let array = content.arrays[name] else { continue }
            try data.write(array, at: name, options: CompressionChoice.options(for: array))
        }
        for (name, value) in content.attributes.sorted(by: { $0.key < $1.key }) { try data.setAttribute(name, value) }
        try writeRootAttributes(root, header)
        let bytes = try file.image()
        try file.close()
        return bytes
    }

    /// The root attributes; `payload_digest` last: its presence and value prove the object complete.
    static func writeRootAttributes(_ root: HDF5Group, _ header: ArtifactHeader) throws {
        try root.setAttribute("alflow_format", .integer(Int64(header.format)))
        try root.setAttribute("kind", .string(header.kind))
        try root.setAttribute("key", .string(header.key))
        try root.setAttribute("parameters", .string(header.parameters))
        try root.setAttribute("inputs", .strings(header.inputs))
        try root.setAttribute("alflow_version", .string(header.alflowVersion))
        try root.setAttribute("created", .string(header.created))
        try root.setAttribute("blas_core", .string(header.blasCore))
        try root.setAttribute("blas_config", .string(header.blasConfiguration))
        try root.setAttribute("compute_seconds", .double(header.computeSeconds))
        try root.setAttribute("payload_digest", .string(header.payloadDigest))
    }

    /// Why a file is not a valid object.
    enum Problem: Error {
        case damaged(String)
        case newerFormat(Int)
    }

    static func readHeader(_ root: HDF5Group) throws -> ArtifactHeader {
        guard let format = try root.attribute("alflow_format")?.integerValue else {
            throw Problem.damaged("not an alflow object (no alflow_format attribute)")
        }
        guard format <= StoreLayout.objectFormat else { throw Problem.newerFormat(Int(format)) }
        func text(_ name: String) throws -> String {
            guard let value = try root.attribute(name)?.stringValue else { throw Problem.damaged("attribute '\(name)' is missing") }
            return value
        }
        guard let digest = try root.attribute("payload_digest")?.stringValue else {
            throw Problem.damaged("incomplete: no payload digest (the write never finished)")
        }
        return ArtifactHeader(format: Int(format), kind: try text("kind"), key: try text("key"), parameters: try text("parameters"),
                              inputs: try root.attribute("inputs")?.stringsValue ?? [], payloadDigest: digest,
                              alflowVersion: try text("alflow_version"), created: try text("created"),
                              blasCore: (try? text("blas_core")) ?? "", blasConfiguration: (try? text("blas_config")) ?? "",
                              computeSeconds: try root.attribute("compute_seconds")?.doubleValue ?? 0)
    }

    /// Opens, checks and fully reads an object; any damage throws `Problem`.
    static func read(_ path: String, expectedKey: String?) throws -> Artifact {
        let root: HDF5Group
        do { root = try HDF5File.open(path).root() } catch let error as HDF5Error {
            throw Problem.damaged("cannot open as HDF5 (\(error.message.isEmpty ? error.operation : error.message))")
        }
        do {
            let header = try readHeader(root)
            if let expectedKey, header.key != expectedKey {
                throw Problem.damaged("holds key \(header.key.prefix(12))…, not the key of its file name")
            }
            var content = ArtifactContent()
            if root.contains("data") {
                let data = try root.group("data")
                for name in try data.datasetPaths() { content.arrays[name] = try data.read(name) }
                for name in try data.attributeNames() { content.attributes[name] = try data.attribute(name) }
            }
            guard content.payloadDigest == header.payloadDigest else {
                throw Problem.damaged("payload digest mismatch (the data was changed or never fully written)")
            }
            return Artifact(header: header, content: content)
        } catch let error as HDF5Error {
            throw Problem.damaged("unreadable (\(error.message.isEmpty ? error.operation : error.message))")
        }
    }
}
