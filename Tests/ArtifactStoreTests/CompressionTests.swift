import ArtifactStore
import Foundation
import HDF5
import TestSupport
import Testing

/// Large arrays are stored deflated only where that pays: a data set's
/// pixels (few distinct values) shrink, noise-like floats (trained weights,
/// probabilities) are stored as they are. Either way the values round-trip.
@Suite struct CompressionTests {
    private func storedBytes(_ array: HDF5Array, key: String, in store: ArtifactStore) throws -> (Int, ArtifactContent?) {
        try store.publish(header(key), ArtifactContent(arrays: ["values": array]))
        let size = (try FileManager.default.attributesOfItem(atPath: store.layout.object(key))[.size] as? NSNumber)?.intValue ?? 0
        guard case .hit(let artifact) = try store.read(key) else { return (size, nil) }
        return (size, artifact.content)
    }

    @Test func pixelsAreDeflatedAndNoiseIsStoredAsItIs() throws {
        let dir = try TemporaryDirectory()
        let store = try ArtifactStore(root: dir.path, alflowVersion: "test")
        let count = 200_000
        // Normalised 8-bit pixels, mostly background: what a load object holds.
        var random = SplitMix(seed: 7)
        let pixels = HDF5Array((0..<count).map { _ -> Float in
            let level = random.next() % 4 == 0 ? Float(random.next() % 256) : 0
            return (level / 255 - 0.1307) / 0.3081
        }, shape: [count / 100, 100])
        // Small weights with full mantissas: what a train object holds.
        let weights = HDF5Array((0..<count).map { _ in Float(Int64(random.next() % 2_000_001) - 1_000_000) * 1e-8 }, shape: [count])
        let raw = count * 4
        let (pixelBytes, pixelContent) = try storedBytes(pixels, key: key(1), in: store)
        let (weightBytes, weightContent) = try storedBytes(weights, key: key(2), in: store)
        #expect(pixelContent?.arrays["values"] == pixels)
        #expect(weightContent?.arrays["values"] == weights)
        #expect(pixelBytes < raw / 2, "pixels stored in \(pixelBytes) bytes of \(raw)")
        // Deflating these would save about 10 %; stored as they are, the file holds every byte.
        #expect(weightBytes >= raw, "weights stored in \(weightBytes) bytes of \(raw)")
    }
}
