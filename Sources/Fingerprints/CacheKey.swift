/// The cache key of a stage (design §3): the SHA-256 of the canonical
/// encoding of, in this order,
///
/// 1. the domain tag `"alflow-key"`,
/// 2. the hashing version (`CacheKey.hashingVersion`),
/// 3. the stage kind (e.g. `"train"`),
/// 4. the stage's code version, bumped by hand when its meaning changes,
/// 5. its resolved parameters (a map),
/// 6. its seed (or null),
/// 7. the keys of its inputs, in declared order,
/// 8. the content digests of the external files it reads (by role, never by path).
///
/// Not in the key: display names, comments and formatting of the workflow,
/// thread counts, `--jobs`, store paths, timestamps.
public struct CacheKey: Equatable, Sendable {
    /// Bumped when the recipe above or the canonical encoding changes.
    public static let hashingVersion: Int64 = 1

    public let kind: String
    public let codeVersion: String
    public let parameters: CanonicalValue
    public let seed: UInt64?
    public let inputs: [String]
    public let files: [String: String]

    public init(kind: String, codeVersion: String, parameters: CanonicalValue, seed: UInt64?,
                inputs: [String], files: [String: String] = [:]) {
        self.kind = kind
        self.codeVersion = codeVersion
        self.parameters = parameters
        self.seed = seed
        self.inputs = inputs
        self.files = files
    }

    /// The value that is hashed.
    public var canonical: CanonicalValue {
        .list([
            .string("alflow-key"),
            .integer(Self.hashingVersion),
            .string(kind),
            .string(codeVersion),
            parameters,
            seed.map { .integer(Int64(bitPattern: $0)) } ?? .null,
            .list(inputs.map(CanonicalValue.string)),
            .map(files.mapValues(CanonicalValue.string)),
        ])
    }

    /// The key: 64 hex digits.
    public var digest: String { Digest.sha256(canonical) }

    /// Every component, in recipe order, for `alflow explain`.
    public var components: [(name: String, value: String)] {
        [("domain", "alflow-key"),
         ("hashing version", String(Self.hashingVersion)),
         ("stage kind", kind),
         ("code version", codeVersion),
         ("parameters", parameters.json),
         ("seed", seed.map(String.init) ?? "none"),
         ("inputs", inputs.isEmpty ? "none" : inputs.joined(separator: ", ")),
         ("files", files.isEmpty ? "none" : files.keys.sorted().map { "\($0)=\(files[$0] ?? "")" }.joined(separator: ", "))]
    }
}
