/// Philox4x32-10, the counter-based generator of Salmon et al., "Parallel
/// random numbers: as easy as 1, 2, 3" (SC'11). Output block `i` is a pure
/// function of (key, counter i), so a stream can be positioned anywhere
/// without replaying it; that is what makes resumed stages draw exactly
/// what uninterrupted ones would.
public enum Philox4x32 {
    @usableFromInline static let multiplier0: UInt32 = 0xD251_1F53
    @usableFromInline static let multiplier1: UInt32 = 0xCD9E_8D57
    @usableFromInline static let weyl0: UInt32 = 0x9E37_79B9
    @usableFromInline static let weyl1: UInt32 = 0xBB67_AE85

    /// Encrypts a 128-bit counter under a 64-bit key with 10 rounds.
    @inlinable
    public static func block(counter: (UInt32, UInt32, UInt32, UInt32), key: (UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
        var c = counter
        var k = key
        for round in 0..<10 {
            if round > 0 {
                k.0 &+= weyl0
                k.1 &+= weyl1
            }
            let p0 = UInt64(multiplier0) * UInt64(c.0)
            let p1 = UInt64(multiplier1) * UInt64(c.2)
            c = (UInt32(truncatingIfNeeded: p1 >> 32) ^ c.1 ^ k.0,
                 UInt32(truncatingIfNeeded: p1),
                 UInt32(truncatingIfNeeded: p0 >> 32) ^ c.3 ^ k.1,
                 UInt32(truncatingIfNeeded: p0))
        }
        return c
    }
}

extension Philox4x32 {
    /// Eight consecutive blocks at once — counters (`position` + j, `stream`)
    /// for j in 0..<8 — lane j of each word equal to `block`'s word for that
    /// counter: the same products and xors, eight lanes wide.
    @inlinable
    public static func blocks8(position: UInt64, stream: UInt64, key: (UInt32, UInt32))
        -> (SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>) {
        let positions = SIMD8<UInt64>(repeating: position) &+ SIMD8<UInt64>(0, 1, 2, 3, 4, 5, 6, 7)
        var c0 = SIMD8<UInt32>(truncatingIfNeeded: positions)
        var c1 = SIMD8<UInt32>(truncatingIfNeeded: positions &>> 32)
        var c2 = SIMD8<UInt32>(repeating: UInt32(truncatingIfNeeded: stream))
        var c3 = SIMD8<UInt32>(repeating: UInt32(truncatingIfNeeded: stream >> 32))
        var k0 = key.0, k1 = key.1
        let m0 = SIMD8<UInt64>(repeating: UInt64(multiplier0)), m1 = SIMD8<UInt64>(repeating: UInt64(multiplier1))
        for round in 0..<10 {
            if round > 0 {
                k0 &+= weyl0
                k1 &+= weyl1
            }
            let p0 = m0 &* SIMD8<UInt64>(truncatingIfNeeded: c0)
            let p1 = m1 &* SIMD8<UInt64>(truncatingIfNeeded: c2)
            let next0 = SIMD8<UInt32>(truncatingIfNeeded: p1 &>> 32) ^ c1 ^ SIMD8(repeating: k0)
            let next2 = SIMD8<UInt32>(truncatingIfNeeded: p0 &>> 32) ^ c3 ^ SIMD8(repeating: k1)
            (c0, c1, c2, c3) = (next0, SIMD8<UInt32>(truncatingIfNeeded: p1), next2, SIMD8<UInt32>(truncatingIfNeeded: p0))
        }
        return (c0, c1, c2, c3)
    }
}
