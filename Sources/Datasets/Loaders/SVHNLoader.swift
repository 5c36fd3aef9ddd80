import Tensors

/// The cropped-digits format of SVHN (`train_32x32.mat`, `test_32x32.mat`):
/// `X` is uint8 height × width × channels × n (32×32×3×n) in MATLAB's
/// column-major order, `y` holds the labels 1…10, where 10 stands for the
/// digit 0 (mapped to class 0, as torchvision does).
public enum SVHNLoader {
    /// Implementation version (part of the load stage key of SVHN sources, with MATLoader's); bump on any change of what it reads.
    public static let version = 1

    /// The training file as samples and the test file as the test split;
    /// features are `[n, 32, 32, 3]` (height × width × channels) holding the
    /// raw 0…255 values, classes are the digits "0"…"9".
    public static func load(train trainPath: String, test testPath: String) throws -> RawDataset {
        let train = try samples(trainPath)
        let test = try samples(testPath)
        let shape = Array(train.features.shape.dropFirst())
        guard Array(test.features.shape.dropFirst()) == shape else {
            throw DataError(file: testPath, "test images are \(Array(test.features.shape.dropFirst())) but training images (\(trainPath)) are \(shape)")
        }
        return RawDataset(task: .classification(classes: 10), featureShape: shape, samples: train, test: test,
                          classNames: (0..<10).map(String.init))
    }

    /// The images and labels of one file.
    public static func samples(_ path: String) throws -> LabeledSamples {
        let variables = try MATLoader.read(path, variables: ["X", "y"])
        guard let x = variables["X"], let y = variables["y"] else {
            throw DataError(file: path, "the file needs variables 'X' (images) and 'y' (labels)")
        }
        // MATLAB drops trailing singleton dimensions: a single image is height × width × channels.
        let dimensions = x.dimensions.count == 3 ? x.dimensions + [1] : x.dimensions
        guard dimensions.count == 4 else {
            throw DataError(file: path, "'X' is \(x.dimensions.map(String.init).joined(separator: "×")); expected height × width × channels × images")
        }
        let (height, width, channels, n) = (dimensions[0], dimensions[1], dimensions[2], dimensions[3])
        guard y.count == n, y.dimensions.filter({ $0 != 1 }).count <= 1 else {
            throw DataError(file: path, "'y' is \(y.dimensions.map(String.init).joined(separator: "×")); expected a vector of \(n) labels, one per image in 'X'")
        }
        let features: [Float]
        switch x.values {
        case .uint8(let v): features = interleave(v, height: height, width: width, channels: channels, count: n) { Float($0) }
        case .double(let v):
            if let bad = v.firstIndex(where: { !$0.isFinite }) {
                throw DataError(file: path, "value \(bad) of 'X' (in MATLAB's column-major order) is not a finite number")
            }
            features = interleave(v, height: height, width: width, channels: channels, count: n) { Float($0) }
        }
        let labels: [Double]
        switch y.values {
        case .uint8(let v): labels = v.map(Double.init)
        case .double(let v): labels = v
        }
        var classes: [Int32] = []
        classes.reserveCapacity(n)
        for (index, label) in labels.enumerated() {
            guard label == label.rounded(), (1...10).contains(label) else {
                throw DataError(file: path, "label \(label) of image \(index) in 'y' is not a digit class 1…10 (10 stands for 0)")
            }
            classes.append(label == 10 ? 0 : Int32(label))
        }
        return LabeledSamples(features: Tensor(shape: [n, height, width, channels], scalars: features), targets: .classes(classes))
    }

    /// MATLAB's column-major X(row, column, channel, image) → row-major [image, row, column, channel].
    static func interleave<T>(_ values: [T], height: Int, width: Int, channels: Int, count: Int,
                              _ convert: (T) -> Float) -> [Float] {
        var result = [Float](repeating: 0, count: values.count)
        var source = 0
        for image in 0..<count {
            for channel in 0..<channels {
                for column in 0..<width {
                    for row in 0..<height {
                        result[((image * height + row) * width + column) * channels + channel] = convert(values[source])
                        source += 1
                    }
                }
            }
        }
        return result
    }
}
