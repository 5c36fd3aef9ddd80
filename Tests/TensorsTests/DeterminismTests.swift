import Foundation
import Synchronization
import Tensors
import Testing

@Suite struct DeterminismTests {
    static func matrix(_ rows: Int, _ columns: Int, seed: UInt64) -> Tensor {
        var random = RandomStream(seed: seed, purpose: "test-matrix")
        return Tensor(shape: [rows, columns], scalars: (0..<(rows * columns)).map { _ in Float(random.nextNormal()) })
    }

    @Test func gemmIsBitIdenticalForAnyWorkerCount() {
        let a = Self.matrix(5000, 300, seed: 1), b = Self.matrix(300, 200, seed: 2)
        let one = Parallel.withWorkers(1) { a.matmul(b) }
        let two = Parallel.withWorkers(2) { a.matmul(b) }
        let three = Parallel.withWorkers(3) { a.matmul(b) }
        #expect(one.scalars.map(\.bitPattern) == two.scalars.map(\.bitPattern))
        #expect(one.scalars.map(\.bitPattern) == three.scalars.map(\.bitPattern))
        // Products with a transposed (reduction-heavy) operand too.
        let g1 = Parallel.withWorkers(1) { a.matmul(Self.matrix(5000, 64, seed: 3), transposeSelf: .transposed) }
        let g2 = Parallel.withWorkers(2) { a.matmul(Self.matrix(5000, 64, seed: 3), transposeSelf: .transposed) }
        #expect(g1 == g2)
    }

    @Test func parallelForVisitsEveryBlockOnce() {
        for workers in 1...4 {
            var seen = [Int](repeating: 0, count: 103)
            seen.withUnsafeMutableBufferPointer { slots in
                Parallel.withWorkers(workers) { Parallel.forEach(blocks: 103) { slots[$0] += 1 } }
            }
            #expect(seen.allSatisfy { $0 == 1 })
        }
    }

    @Test func rowOperations() {
        let logits = Tensor(rows: [[1000, 1001, 999], [0, 0, 0], [-5, 3, 1]])
        let p = logits.softmaxRows()
        for i in 0..<3 { #expect(abs(p.row(i).reduce(0, +) - 1) < 1e-6) }
        #expect(abs(p.scalars[3] - 1.0 / 3) < 1e-6)
        #expect(logits.argmaxRows() == [1, 0, 1])
        #expect(Tensor(rows: [[1, 2], [3, 4], [5, 6]]).columnSums().scalars == [9, 12])
        #expect(Tensor(rows: [[3, 4]]).rowNorms() == [5])
        #expect(Tensor(rows: [[1, 2, 3], [4, 5, 6]]).transposed() == Tensor(rows: [[1, 4], [2, 5], [3, 6]]))
    }
}

/// Threads follow the work: a loop borrows only the cores no computing
/// thread holds, so a lone stage uses every core and busy ones share.
@Suite(.serialized) struct CoreBudgetTests {
    /// The width of a loop started here: the calling thread and the cores it borrowed.
    static func width() -> Int {
        Parallel.forEach(blocks: 64) { _ in }
        return Parallel.lastWidth
    }

    @Test func aLoneComputingThreadBorrowsTheFreeCoresAndABusyProcessNone() {
        let cores = Parallel.defaultWorkers
        // Other suites of this process may hold helpers for a moment: the lone
        // stage must get every core on some attempt, never more.
        var widths: [Int] = []
        for _ in 0..<200 where !widths.contains(cores) {
            widths.append(Parallel.asComputingThread { Self.width() })
            if !widths.contains(cores) { usleep(2_000) }
        }
        #expect(widths.contains(cores), "a lone stage uses every core (widths seen: \(Set(widths)) of \(cores))")
        #expect(widths.allSatisfy { $0 <= cores })
        // Every core held by a computing thread: the loop runs on its caller alone.
        func hold(_ remaining: Int) -> Int {
            remaining == 0 ? Self.width() : Parallel.asComputingThread { hold(remaining - 1) }
        }
        #expect(hold(cores) == 1)
    }
}
