/// Why a data file could not be had, as data; the CLI renders it.
public enum DataFetchError: Error, CustomStringConvertible, Sendable {
    public struct Attempt: Sendable {
        public let source: String
        public let problem: String
    }

    /// The bytes from `source` do not match the published checksum (nothing was kept).
    case mismatch(dataset: String, file: String, expected: String, received: String, source: String)
    /// A transfer failed (after its retries).
    case transfer(source: String, reason: String)
    /// No source gave a verified file.
    case unavailable(dataset: String, file: DataFile, attempts: [Attempt], offline: Bool, mirror: String?)
    /// The workflow names a data set alflow does not know.
    case unknown(String)

    public var description: String {
        switch self {
        case .mismatch(let dataset, let file, let expected, let received, let source):
            return "\(dataset)/\(file) from \(source): checksum mismatch, expected \(expected), received \(received); the file was discarded"
        case .transfer(let source, let reason):
            return "\(source): \(reason)"
        case .unavailable(let dataset, let file, let attempts, let offline, let mirror):
            var lines = ["cannot obtain \(dataset)/\(file.name) (\(Self.describe(file)))"]
            lines += attempts.map { "  tried \($0.source): \($0.problem)" }
            if attempts.isEmpty {
                lines.append(offline ? "  offline, and no mirror folder holds it" : "  no source to try")
            }
            let fix = offline || attempts.isEmpty
                ? "put \(file.name) in a folder (or its subfolder \(dataset)/) and set ALFLOW_DATA_MIRROR=FOLDER (or --data-mirror FOLDER)"
                : "check the network, or fetch it elsewhere (`alflow fetch \(dataset)`) and point ALFLOW_DATA_MIRROR at a folder holding it"
            lines.append("  hint: \(fix)\(mirror.map { "; the mirror now is \($0)" } ?? "")")
            if !file.urls.isEmpty { lines.append("  published at: " + file.urls.joined(separator: ", ")) }
            return lines.joined(separator: "\n")
        case .unknown(let name):
            return "unknown data set '\(name)'; known: " + KnownDataset.all.map(\.name).joined(separator: ", ")
        }
    }

    static func describe(_ file: DataFile) -> String {
        var parts: [String] = []
        if let size = file.size { parts.append("\(size) bytes") }
        if let md5 = file.md5 { parts.append("md5 \(md5)") }
        if let sha256 = file.sha256 { parts.append("sha256 \(sha256)") }
        return parts.joined(separator: ", ")
    }
}
