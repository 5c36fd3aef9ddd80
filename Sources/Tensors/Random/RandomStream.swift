import Foundation

/// A deterministic stream of random numbers identified by (seed, stream id).
///
/// The seed is Philox's key; the stream id fills the upper half of the
/// 128-bit counter and the position the lower half, so distinct streams never
/// overlap and position `i` of a stream is always the same value. There is
/// no global generator anywhere in alflow: every draw names its stream.
public struct RandomStream: Sendable {
    public let seed: UInt64
    public let stream: UInt64
    /// Index of the next 128-bit block to generate.
    public private(set) var position: UInt64 = 0
    private var buffer: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    private var buffered = 0
    private var spareNormal: Double?

    public init(seed: UInt64, stream: UInt64) {
        self.seed = seed
        self.stream = stream
    }

    /// The stream positioned at block `position` (value 4 · `position`), as
    /// if that many blocks had been drawn.
    public init(seed: UInt64, stream: UInt64, position: UInt64) {
        self.init(seed: seed, stream: stream)
        self.position = position
    }

    /// A stream whose id is derived from a readable purpose and numbers,
    /// e.g. `RandomStream(seed: 3, purpose: "batch-order", 12)`.
    public init(seed: UInt64, purpose: String, _ indices: UInt64...) {
        self.init(seed: seed, stream: StreamID.make(purpose, indices))
    }

    // MARK: Raw bits

    public mutating func nextUInt32() -> UInt32 {
        if buffered == 0 {
            buffer = Philox4x32.block(
                counter: (UInt32(truncatingIfNeeded: position), UInt32(truncatingIfNeeded: position >> 32),
                          UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream >> 32)),
                key: (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)))
            position &+= 1
            buffered = 4
        }
        buffered -= 1
        switch buffered {
        case 3: return buffer.0
        case 2: return buffer.1
        case 1: return buffer.2
        default: return buffer.3
        }
    }

    public mutating func nextUInt64() -> UInt64 {
        let high = UInt64(nextUInt32())
        return high << 32 | UInt64(nextUInt32())
    }

    // MARK: Distributions

    /// Uniform in [0, 1) with 24 random bits (every Float in the grid is exact).
    public mutating func nextUniformFloat() -> Float {
        Self.uniformFloat(nextUInt32())
    }

    /// The top 24 bits of `bits` as a Float in [0, 1).
    @inline(__always)
    static func uniformFloat(_ bits: UInt32) -> Float {
        Float(bits >> 8) * 0x1p-24
    }

    /// Fills `values` with exactly what `values.count` calls of
    /// `nextUniformFloat()` would return, and leaves the stream where they
    /// would: whole blocks eight at a time (`Philox4x32.blocks8`), the ends
    /// one value at a time. Dropout masks draw this way (MC dropout draws
    /// 170 million values per mnist-paper BALD query).
    public mutating func fillUniformFloats(_ values: UnsafeMutableBufferPointer<Float>) {
        guard let base = values.baseAddress else { return }
        var index = 0
        while buffered > 0, index < values.count {
            base[index] = nextUniformFloat()
            index += 1
        }
        let key = (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
        while values.count - index >= 32 {
            let (w0, w1, w2, w3) = Philox4x32.blocks8(position: position, stream: stream, key: key)
            position &+= 8
            let out = base + index
            for lane in 0..<8 {
                out[4 * lane] = Self.uniformFloat(w0[lane])
                out[4 * lane + 1] = Self.uniformFloat(w1[lane])
                out[4 * lane + 2] = Self.uniformFloat(w2[lane])
                out[4 * lane + 3] = Self.uniformFloat(w3[lane])
            }
            index += 32
        }
        while index < values.count {
            base[index] = nextUniformFloat()
            index += 1
        }
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextUniform() -> Double {
        Double(nextUInt64() >> 11) * 0x1p-53
    }

    /// Uniform in [low, high).
    public mutating func nextUniform(in low: Double, _ high: Double) -> Double {
        low + (high - low) * nextUniform()
    }

    /// Standard normal by the Box–Muller transform (pairs are used in turn).
    public mutating func nextNormal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        let u1 = 1 - nextUniform()          // (0, 1]: log is finite
        let u2 = nextUniform()
        let radius = (-2 * Foundation.log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        spareNormal = radius * Foundation.sin(angle)
        return radius * Foundation.cos(angle)
    }

    /// Uniform integer in 0..<bound without modulo bias (Lemire's method).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let range = UInt64(bound)
        var product = nextUInt64().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = nextUInt64().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// Fisher–Yates shuffle in place.
    public mutating func shuffle<T>(_ values: inout [T]) {
        guard values.count > 1 else { return }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            if i != j { values.swapAt(i, j) }
        }
    }

    /// A uniformly random permutation of 0..<count.
    public mutating func permutation(_ count: Int) -> [Int] {
        var values = Array(0..<count)
        shuffle(&values)
        return values
    }

    /// `count` distinct elements of `values`, uniformly, in random order.
    public mutating func sample<T>(_ values: [T], count: Int) -> [T] {
        precondition(count <= values.count, "cannot sample \(count) of \(values.count)")
        var pool = values
        for i in 0..<count {
            let j = i + nextInt(below: pool.count - i)
            pool.swapAt(i, j)
        }
        return Array(pool.prefix(count))
    }
}

/// Stable 64-bit stream ids from readable names. FNV-1a over the UTF-8 bytes
/// and the little-endian indices, finished with SplitMix64's mixer. Stable
/// across processes and platforms (never Swift's per-process `Hasher`).
public enum StreamID {
    public static func make(_ purpose: String, _ indices: [UInt64] = []) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        for byte in purpose.utf8 { mix(byte) }
        for index in indices {
            mix(0xFF)
            for shift in stride(from: 0, to: 64, by: 8) { mix(UInt8(truncatingIfNeeded: index >> UInt64(shift))) }
        }
        return splitMix(hash)
    }

    /// SplitMix64's finaliser: a bijection with good avalanche.
    public static func splitMix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
