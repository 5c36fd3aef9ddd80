import Tensors
import Testing

@Suite struct RandomStreamTests {
    /// Known-answer vectors from the Random123 distribution (kat_vectors, philox4x32_10).
    @Test func philoxMatchesPublishedVectors() {
        #expect(Philox4x32.block(counter: (0, 0, 0, 0), key: (0, 0)) == (0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8))
        #expect(Philox4x32.block(counter: (.max, .max, .max, .max), key: (.max, .max)) == (0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD))
        #expect(Philox4x32.block(counter: (0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344), key: (0xA409_3822, 0x299F_31D0))
                == (0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1))
    }

    /// The bulk draw (eight Philox blocks per step) equals one draw at a time,
    /// from every offset within a block, across the 2³²-block carry, and leaves
    /// the stream where single draws would.
    @Test func bulkUniformFloatsEqualSingleDraws() {
        for (seed, start) in [(UInt64(3), UInt64(0)), (0xFFFF_FFFF_0000_0001, UInt64(0xFFFF_FFFC) * 4)] {
            for skip in 0..<5 {
                for count in [0, 1, 3, 31, 32, 33, 100, 1_000] {
                    var single = RandomStream(seed: seed, stream: 0x1234_5678_9ABC)
                    // Position both streams: `start` values in, then `skip` more.
                    for _ in 0..<min(start, 64) { _ = single.nextUInt32() }
                    var bulk = single
                    if start > 64 {
                        single = RandomStream(seed: seed, stream: 0x1234_5678_9ABC, position: start / 4)
                        bulk = single
                    }
                    for _ in 0..<skip {
                        _ = single.nextUniformFloat()
                        _ = bulk.nextUniformFloat()
                    }
                    let expected = (0..<count).map { _ in single.nextUniformFloat() }
                    var drawn = [Float](repeating: -1, count: count)
                    drawn.withUnsafeMutableBufferPointer { bulk.fillUniformFloats($0) }
                    #expect(drawn == expected, "seed \(seed), skip \(skip), count \(count)")
                    #expect(bulk.nextUInt32() == single.nextUInt32() && bulk.position == single.position)
                }
            }
        }
    }

    @Test func streamsAreReproducibleAndIndependent() {
        var a = RandomStream(seed: 7, stream: 1), b = RandomStream(seed: 7, stream: 1)
        var c = RandomStream(seed: 7, stream: 2), d = RandomStream(seed: 8, stream: 1)
        let xa = (0..<100).map { _ in a.nextUInt32() }
        #expect(xa == (0..<100).map { _ in b.nextUInt32() })
        #expect(xa != (0..<100).map { _ in c.nextUInt32() })
        #expect(xa != (0..<100).map { _ in d.nextUInt32() })
        #expect(StreamID.make("batch-order", [3]) == StreamID.make("batch-order", [3]))
        #expect(StreamID.make("batch-order", [3]) != StreamID.make("batch-order", [4]))
        #expect(StreamID.make("ab", [1]) != StreamID.make("a", [1]))
    }

    @Test func distributionsHaveTheRightMoments() {
        var random = RandomStream(seed: 1, purpose: "moments")
        let n = 200_000
        var sum = 0.0, squares = 0.0, uniformSum = 0.0
        for _ in 0..<n {
            let z = random.nextNormal()
            sum += z
            squares += z * z
            let u = random.nextUniformFloat()
            #expect(u >= 0 && u < 1)
            uniformSum += Double(u)
        }
        #expect(abs(sum / Double(n)) < 0.01)
        #expect(abs(squares / Double(n) - 1) < 0.015)
        #expect(abs(uniformSum / Double(n) - 0.5) < 0.005)
    }

    @Test func boundedIntegersAndPermutations() {
        var random = RandomStream(seed: 2, purpose: "ints")
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { counts[random.nextInt(below: 7)] += 1 }
        #expect(counts.allSatisfy { abs($0 - 10_000) < 500 })
        let permutation = random.permutation(1000)
        #expect(permutation.sorted() == Array(0..<1000))
        #expect(permutation != Array(0..<1000))
        let sample = random.sample(Array(0..<50), count: 20)
        #expect(Set(sample).count == 20 && sample.allSatisfy { $0 < 50 })
    }
}
