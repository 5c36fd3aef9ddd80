import Fingerprints
import Testing

/// Golden digests: computed independently (a few lines of Python with
/// hashlib, following the encoding table in `CanonicalValue`), so a change
/// of encoding — which would silently invalidate every store — fails here.
@Suite struct CanonicalEncodingTests {
    @Test func goldenDigests() {
        #expect(Digest.sha256(.list([.string("ab"), .string("c")])) == "5d09911b059a03d9fbc49d605c88d8a004dd1bd89e65412e316b440b2f9ce6ed")
        #expect(Digest.sha256(.list([.string("a"), .string("bc")])) == "27a3c5ef9dbd4caf5512f86e87bbcfcfa6dbd6d03274577873ff9756e9a53e6c")
        let map = CanonicalValue.map([
            "noise": .double(0.001), "samples": .integer(30), "selection": .string("kcenter"),
            "nested": .map(["b": .list([.integer(1), .double(2.5), .bool(true), .null]), "a": .string("é")]),
        ])
        #expect(Digest.sha256(map) == "c3a38c2cb023c3e51ce104daf860ec88c7bc2ace4704c3533b1ba05284021bff")
        #expect(Digest.sha256(.integer(1)) == "f83f60940c1ec44c0f1e90f694c6cae7c99b4b6d1507d60ad5a3282a7750d0ee")
        #expect(Digest.sha256(.double(1)) == "d64acd14161a70c4099bd0451fa44e0895d01bc9abec708d273f7ef9c40dede7")
    }

    @Test func lengthPrefixesSeparateConcatenations() {
        #expect(CanonicalValue.list([.string("ab"), .string("c")]).encoded != CanonicalValue.list([.string("a"), .string("bc")]).encoded)
        #expect(CanonicalValue.list([.list([]), .string("")]).encoded != CanonicalValue.list([.string(""), .list([])]).encoded)
    }

    @Test func mapOrderDoesNotMatter() {
        var forward: [String: CanonicalValue] = [:]
        var backward: [String: CanonicalValue] = [:]
        for i in 0..<50 { forward["key\(i)"] = .int(i) }
        for i in (0..<50).reversed() { backward["key\(i)"] = .int(i) }
        #expect(CanonicalValue.map(forward).encoded == CanonicalValue.map(backward).encoded)
    }

    @Test func signedZeroAndNaNFollowTheDocumentedRule() {
        #expect(Digest.sha256(.double(0)) == Digest.sha256(.double(-0.0)))
        #expect(Digest.sha256(.double(0)) == "dc4c8669df128318c5790c414c870cc76c585268552851e78d3ee8604dbec0e3")
        let quiet = Double.nan, signalling = Double(bitPattern: 0x7FF0_0000_0000_0001), negative = -Double.nan
        #expect(Digest.sha256(.double(quiet)) == "e121b4595d1f0ff5978fd70183066f491d9e133f09112297cd88e235b5eafcfb")
        #expect(Digest.sha256(.double(signalling)) == Digest.sha256(.double(quiet)))
        #expect(Digest.sha256(.double(negative)) == Digest.sha256(.double(quiet)))
        #expect(Digest.sha256(.double(1e-300)) != Digest.sha256(.double(0)))
    }

    @Test func cacheKeyRecipeIsPinnedAndExplainable() {
        let key = CacheKey(kind: "train", implementation: ["stage.train": 1, "architecture.mlp": 1],
                           specification: .map(["epochs": .integer(40), "learning_rate": .double(0.001)]),
                           seed: 7, streamSeed: 9, inputs: ["aa", "bb"], files: ["images": "cafe"])
        #expect(key.digest == "4cab44e87ce180a8e909a45d8a14f183b9d8c29c935b76e18dd26d5e97d85ce4")
        #expect(key.components.map(\.name) == ["domain", "hashing version", "stage kind", "implementation", "specification", "seed",
                                               "stream seed", "inputs", "files"])
        #expect(key.components[4].value == "{\"epochs\":40,\"learning_rate\":0.001}")
        let reordered = CacheKey(kind: "train", implementation: key.implementation, specification: key.specification, seed: 7, streamSeed: 9,
                                 inputs: ["bb", "aa"], files: key.files)
        #expect(reordered.digest != key.digest, "inputs are in declared order")
        let bumped = CacheKey(kind: "train", implementation: ["stage.train": 2, "architecture.mlp": 1], specification: key.specification,
                              seed: 7, streamSeed: 9, inputs: key.inputs, files: key.files)
        #expect(bumped.digest != key.digest)
    }

    /// The first recipe, frozen: the seeds of every random stream derive from it.
    @Test func streamIdentityIsTheFirstRecipeFrozen() {
        let identity = StreamIdentity(kind: "train", parameters: .map(["epochs": .integer(40), "learning_rate": .double(0.001)]),
                                      seed: 7, inputs: ["aa", "bb"], files: ["images": "cafe"])
        #expect(identity.digest == "ffbfae42890daa4e5c8ab00b6e09e7039f4b0a335b5725e8831fe4e0901d6c94")
        #expect(StreamIdentity.seed(of: identity.digest) == 0xffbf_ae42_890d_aa4e)
    }

    @Test func encodableValuesBecomeCanonicalMaps() throws {
        struct Inner: Encodable { let rate: Float; let names: [String] }
        struct Outer: Encodable { let count: Int; let inner: Inner; let missing: Int?; let flag: Bool }
        let value = try CanonicalEncoder.encode(Outer(count: 3, inner: Inner(rate: 0.5, names: ["a"]), missing: nil, flag: true))
        #expect(value == .map(["count": .integer(3), "inner": .map(["rate": .double(0.5), "names": .list([.string("a")])]), "flag": .bool(true)]))
    }

    @Test func streamingDigestEqualsOneShot() {
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var stream = StreamingDigest()
        stream.update(Array(bytes.prefix(12_345)))
        stream.update(Array(bytes.dropFirst(12_345)))
        #expect(stream.finalize() == Digest.sha256(bytes))
    }

    @Test func jsonIsCanonical() {
        let value = CanonicalValue.map(["b": .list([.integer(1), .double(0.5), .null]), "a": .string("q\"uote\n"), "c": .bool(false)])
        #expect(value.json == "{\"a\":\"q\\\"uote\\n\",\"b\":[1,0.5,null],\"c\":false}")
    }
}
