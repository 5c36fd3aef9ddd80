import CZlib
import HDF5

/// Whether an array is stored shuffled and deflated, decided by trying it:
/// a data set's pixels shrink to a fifth, but trained weights, probabilities
/// and embeddings keep 86–92 % of their bytes for a deflate that cost 5 % of
/// mnist-paper's CPU time (every train, perturb and score object, and every
/// training checkpoint, went through it). Only the stored bytes depend on
/// this choice: HDF5 reads either layout, and payload digests are computed
/// over values.
enum CompressionChoice {
    /// Arrays with fewer elements are stored as they are.
    static let threshold = 1 << 16
    /// Compressed only if the sample shrinks to at most this fraction.
    static let worthwhile = 0.75
    /// The sample: this many evenly spaced runs of `runElements` elements.
    static let runs = 4
    static let runElements = 4096

    /// The options to store `array` with: shuffle + deflate level 1 (HDF5
    /// chunked), or contiguous when deflating a sample of it saves too little.
    static func options(for array: HDF5Array) -> HDF5DatasetOptions {
        array.count >= threshold && pays(array) ? HDF5DatasetOptions(deflateLevel: 1, shuffle: true) : .contiguous
    }

    /// Deflates `runs` evenly spaced runs of the array, each byte-shuffled as
    /// HDF5's shuffle filter does, and compares the sizes.
    static func pays(_ array: HDF5Array) -> Bool {
        let width = array.elementType.byteWidth
        let runBytes = runElements * width
        guard width > 0, array.count >= runs * runElements else { return false }
        var sample = [UInt8](repeating: 0, count: runs * runBytes)
        array.withUnsafeBytes { raw in
            let stride = (array.count - runElements) / max(1, runs - 1)
            for run in 0..<runs {
                let source = raw.baseAddress!.advanced(by: run * stride * width).assumingMemoryBound(to: UInt8.self)
                let base = run * runBytes
                // Byte j of element i goes to plane j, as in H5Z_shuffle.
                for element in 0..<runElements {
                    for byte in 0..<width { sample[base + byte * runElements + element] = source[element * width + byte] }
                }
            }
        }
        var bound = compressBound(uLong(sample.count))
        var packed = [UInt8](repeating: 0, count: Int(bound))
        let status = packed.withUnsafeMutableBufferPointer { out in
            sample.withUnsafeBufferPointer { compress2(out.baseAddress, &bound, $0.baseAddress, uLong($0.count), 1) }
        }
        guard status == Z_OK else { return true }
        return Double(bound) <= worthwhile * Double(sample.count)
    }
}
