import Tensors
import Testing

/// The blocked transpose (8×8 register blocks, edges value by value, bands
/// over the longer side) against the definition, on shapes that exercise
/// every path: whole blocks, ragged right and bottom edges, tall and wide.
@Suite struct TranspositionTests {
    @Test(arguments: [(96, 1024), (1024, 128), (800, 64), (13, 37), (300, 9), (9, 300), (8, 8), (1, 17), (17, 1), (1, 1)])
    func blockedTransposeMatchesTheDefinition(rows: Int, columns: Int) {
        let source = Tensor(shape: [rows, columns], scalars: (0..<(rows * columns)).map { Float($0) + 0.5 })
        let transposed = source.transposed()
        #expect(transposed.shape == [columns, rows])
        var wrong = 0
        for i in 0..<rows {
            for j in 0..<columns where transposed.scalars[j * rows + i] != source.scalars[i * columns + j] { wrong += 1 }
        }
        #expect(wrong == 0, "\(wrong) of \(rows * columns) values misplaced")
    }
}
