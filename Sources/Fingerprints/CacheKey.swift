/// The cache key of a stage (docs/cache-keys.md): the SHA-256 of the
/// canonical encoding of, in this order,
///
/// 1. the domain tag `"alflow-key"`,
/// 2. the hashing version (`CacheKey.hashingVersion`),
/// 3. the stage kind (e.g. `"train"`),
/// 4. the implementation versions of the components the stage uses
///    (`stage.train → 1`, `architecture.mlp → 1`, `strategy.entropy → 1`…),
/// 5. its specification: the canonical encoding of everything its
///    computation reads, derived from the value the stage receives,
/// 6. its seed (or null) and the seed of its random streams,
/// 7. the keys of its inputs, in declared order,
/// 8. the content digests of the external files it reads (by role, never by path).
///
/// Not in the key: display names, comments and formatting of the workflow,
/// thread counts, `--jobs`, store paths, timestamps.
public struct CacheKey: Equatable, Sendable {
    /// Bumped when the recipe above or the canonical encoding changes.
    public static let hashingVersion: Int64 = 2

    public let kind: String
    public let implementation: [String: Int]
    public let specification: CanonicalValue
    public let seed: UInt64?
    public let streamSeed: UInt64
    public let inputs: [String]
    public let files: [String: String]

    public init(kind: String, implementation: [String: Int], specification: CanonicalValue, seed: UInt64?, streamSeed: UInt64,
                inputs: [String], files: [String: String] = [:]) {
        self.kind = kind
        self.implementation = implementation
        self.specification = specification
        self.seed = seed
        self.streamSeed = streamSeed
        self.inputs = inputs
        self.files = files
    }

    /// The value that is hashed.
    public var canonical: CanonicalValue {
        .list([
            .string("alflow-key"),
            .integer(Self.hashingVersion),
            .string(kind),
            .map(implementation.mapValues { .int($0) }),
            specification,
            seed.map { .integer(Int64(bitPattern: $0)) } ?? .null,
            .integer(Int64(bitPattern: streamSeed)),
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
         ("implementation", implementation.keys.sorted().map { "\($0)=\(implementation[$0] ?? 0)" }.joined(separator: ", ")),
         ("specification", specification.json),
         ("seed", seed.map(String.init) ?? "none"),
         ("stream seed", String(streamSeed)),
         ("inputs", inputs.isEmpty ? "none" : inputs.joined(separator: ", ")),
         ("files", files.isEmpty ? "none" : files.keys.sorted().map { "\($0)=\(files[$0] ?? "")" }.joined(separator: ", "))]
    }
}

/// Where a stage's random streams come from: the SHA-256 of alflow's first
/// key recipe (hashing version 1) over a fixed summary of the stage's
/// parameters, its seed, its inputs' stream identities and its files. It is
/// frozen on purpose — changing it would change every result — and it is a
/// function of values the cache key holds, so keys stay sound. The stream
/// seed is its first 64 bits.
public struct StreamIdentity: Equatable, Sendable {
    public let kind: String
    public let parameters: CanonicalValue
    public let seed: UInt64?
    public let inputs: [String]
    public let files: [String: String]

    public init(kind: String, parameters: CanonicalValue, seed: UInt64?, inputs: [String], files: [String: String] = [:]) {
        self.kind = kind
        self.parameters = parameters
        self.seed = seed
        self.inputs = inputs
        self.files = files
    }

    public var digest: String {
        Digest.sha256(.list([
            .string("alflow-key"), .integer(1), .string(kind), .string("1"), parameters,
            seed.map { .integer(Int64(bitPattern: $0)) } ?? .null,
            .list(inputs.map(CanonicalValue.string)), .map(files.mapValues(CanonicalValue.string)),
        ]))
    }

    /// The first 16 hex digits of the digest as a number.
    public static func seed(of digest: String) -> UInt64 { UInt64(digest.prefix(16), radix: 16) ?? 0 }
}
