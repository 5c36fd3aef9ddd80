import Foundation

/// Data sets that ship inside alflow.
public enum BuiltinDataset: String, CaseIterable, Sendable {
    /// Implementation version of the bundled data (part of the load stage key of builtin sources).
    public static let version = 1

    /// UCI handwritten digits, 8×8: 1,797 samples, 64 features (0–16), 10 classes.
    case digits

    public func load() throws -> RawDataset {
        switch self {
        case .digits:
            return try CSVLoader.load(bytes: Self.digitsCSV(), file: "builtin:digits",
                                      options: CSVLoader.Options(target: "target", task: .classification))
        }
    }

    /// The embedded, unmodified `digits.csv` bytes.
    public static func digitsCSV() throws -> [UInt8] {
        guard let packed = Data(base64Encoded: DigitsData.gzipBase64, options: .ignoreUnknownCharacters) else {
            throw DataError(file: "builtin:digits", "the embedded data is not valid base64 (regenerate with scripts/embed-digits.py)")
        }
        return try Gzip.decompress(Array(packed), name: "builtin:digits")
    }
}
