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
