import DataCatalog
import Datasets

/// Reads a data set known by name from its verified files in the store.
enum KnownDatasetLoading {
    static func load(_ known: KnownDataset, storeRoot: String?) throws -> RawDataset {
        let shelf = storeRoot.map(DataShelf.init(storeRoot:))
        func path(_ name: String) throws -> String {
            guard let file = known.file(name), let path = shelf?.path(of: file) else {
                throw DataError(file: "\(known.name)/\(name)",
                                "not in the store; fetch it first (`alflow fetch \(known.name)`, or `alflow run`, which fetches)")
            }
            return path
        }
        switch known.format {
        case .embedded:
            return try BuiltinDataset.digits.load()
        case .idx(let trainImages, let trainLabels, let testImages, let testLabels):
            let (train, trainClasses) = try IDXLoader.samples(images: try path(trainImages), labels: try path(trainLabels))
            let (test, testClasses) = try IDXLoader.samples(images: try path(testImages), labels: try path(testLabels))
            let classes = max(trainClasses, testClasses)
            return RawDataset(task: .classification(classes: classes), featureShape: Array(train.features.shape.dropFirst()),
                              samples: train, test: test, classNames: (0..<classes).map(String.init))
        case .csvRegression(let table, let target, let drop):
            return try CSVLoader.load(try path(table), options: CSVLoader.Options(target: target, task: .regression, drop: drop))
        case .cifar10(let archive):
            return try CIFARLoader.load(archive: try path(archive), variant: .cifar10)
        case .cifar100(let archive):
            return try CIFARLoader.load(archive: try path(archive), variant: .cifar100)
        case .svhn(let train, let test):
            return try SVHNLoader.load(train: try path(train), test: try path(test))
        }
    }
}
