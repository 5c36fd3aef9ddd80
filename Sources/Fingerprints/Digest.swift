import Crypto

/// SHA-256 digests (swift-crypto), as lower-case hex.
public enum Digest {
    public static func sha256(_ bytes: [UInt8]) -> String {
        hex(Array(SHA256.hash(data: bytes)))
    }

    public static func sha256(_ value: CanonicalValue) -> String {
        sha256(value.encoded)
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// An incremental SHA-256, for data too large to hold twice (datasets, files).
public struct StreamingDigest {
    private var hasher = SHA256()

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    }

    /// Appends a value's canonical encoding.
    public mutating func update(_ value: CanonicalValue) {
        update(value.encoded)
    }

    public func finalize() -> String {
        Digest.hex(Array(hasher.finalize()))
    }
}
