/// One file of a known data set: its exact name, size and published
/// checksums, and where it can be downloaded (the publisher first, then
/// well-known mirrors).
public struct DataFile: Sendable, Equatable {
    public let name: String
    /// Bytes, where known.
    public let size: Int64?
    public let md5: String?
    public let sha256: String?
    public let urls: [String]

    public init(_ name: String, size: Int64?, md5: String?, sha256: String? = nil, urls: [String]) {
        self.name = name
        self.size = size
        self.md5 = md5
        self.sha256 = sha256
        self.urls = urls
    }

    /// The strongest published digest, as `algorithm:hex`: what the file is
    /// verified against before any use, and what a load stage's key holds
    /// for it (so a mirror and the publisher give the same key).
    public var digest: String {
        if let sha256 { return "sha256:" + sha256 }
        return "md5:" + (md5 ?? "")
    }
}

/// A data set alflow knows by name (`dataset: {builtin: NAME}`).
public struct KnownDataset: Sendable {
    /// How its files are read.
    public enum Format: Sendable, Equatable {
        /// Bundled with alflow (no files).
        case embedded
        /// IDX images and labels, gzip-compressed, with a test split.
        case idx(trainImages: String, trainLabels: String, testImages: String, testLabels: String)
        /// The CIFAR binary version (one tar.gz archive).
        case cifar10(archive: String), cifar100(archive: String)
        /// SVHN's MATLAB level-5 files.
        case svhn(train: String, test: String)
        /// A CSV table with a regression target.
        case csvRegression(table: String, target: String, drop: [String])
    }

    /// What validation can know without reading the files.
    public struct Facts: Sendable, Equatable {
        public let train: Int
        /// Test rows shipped with the set (0: split from the pool by the workflow).
        public let test: Int
        /// Classes (nil for regression).
        public let classes: Int?
        public let featureShape: [Int]
    }

    public let name: String
    public let title: String
    public let format: Format
    public let files: [DataFile]
    public let facts: Facts
    public let license: String
    public let citation: String
    public let homepage: String

    public var isImage: Bool { facts.featureShape.count == 3 }
    public var isClassification: Bool { facts.classes != nil }

    public func file(_ name: String) -> DataFile? { files.first { $0.name == name } }

    /// Each file by its role, named as the same files given by path are
    /// (`train_images`… for IDX, `table` for a CSV): a load stage's key holds
    /// role → published digest.
    public var roles: [(role: String, file: DataFile)] {
        func named(_ pairs: [(String, String)]) -> [(role: String, file: DataFile)] {
            pairs.compactMap { role, name in file(name).map { (role, $0) } }
        }
        switch format {
        case .embedded: return []
        case .idx(let a, let b, let c, let d):
            return named([("train_images", a), ("train_labels", b), ("test_images", c), ("test_labels", d)])
        case .cifar10(let archive), .cifar100(let archive): return named([("archive", archive)])
        case .svhn(let train, let test): return named([("train", train), ("test", test)])
        case .csvRegression(let table, _, _): return named([("table", table)])
        }
    }
}

extension KnownDataset {
    public static func named(_ name: String) -> KnownDataset? { all.first { $0.name == name } }

    public static let all: [KnownDataset] = [digits, mnist, fashionMNIST, kmnist, cifar10, cifar100, svhn, ames]

    static let idxNames = (trainImages: "train-images-idx3-ubyte.gz", trainLabels: "train-labels-idx1-ubyte.gz",
                           testImages: "t10k-images-idx3-ubyte.gz", testLabels: "t10k-labels-idx1-ubyte.gz")

    static func idx(_ name: String, _ title: String, prefixes: [String], files: [(size: Int64?, md5: String, sha256: String?)],
                    license: String, citation: String, homepage: String) -> KnownDataset {
        let names = [idxNames.trainImages, idxNames.trainLabels, idxNames.testImages, idxNames.testLabels]
        return KnownDataset(
            name: name, title: title,
            format: .idx(trainImages: names[0], trainLabels: names[1], testImages: names[2], testLabels: names[3]),
            files: zip(names, files).map { name, file in
                DataFile(name, size: file.size, md5: file.md5, sha256: file.sha256, urls: prefixes.map { $0 + name })
            },
            facts: Facts(train: 60_000, test: 10_000, classes: 10, featureShape: [28, 28, 1]),
            license: license, citation: citation, homepage: homepage)
    }

    public static let digits = KnownDataset(
        name: "digits", title: "UCI optical recognition of handwritten digits (8×8)", format: .embedded, files: [],
        facts: Facts(train: 1_797, test: 0, classes: 10, featureShape: [64]),
        license: "CC BY 4.0", citation: "E. Alpaydin, C. Kaynak. Optical Recognition of Handwritten Digits. UCI Machine Learning Repository, 1998.",
        homepage: "https://archive.ics.uci.edu/dataset/80")

    public static let mnist = idx(
        "mnist", "MNIST handwritten digits",
        prefixes: ["https://yann.lecun.com/exdb/mnist/", "https://ossci-datasets.s3.amazonaws.com/mnist/",
                   "https://storage.googleapis.com/cvdf-datasets/mnist/"],
        files: [(9_912_422, "f68b3c2dcbeaaa9fbdd348bbdeb94873", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
                (28_881, "d53e105ee54ea40749a09fcbcd1e9432", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
                (1_648_877, "9fb629c4189551a2d022fa330f9573f3", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
                (4_542, "ec29112dd5afa0611ce80d1b7f02629c", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6")],
        license: "CC BY-SA 3.0",
        citation: "Y. LeCun, L. Bottou, Y. Bengio, P. Haffner. Gradient-based learning applied to document recognition. Proc. IEEE 86(11), 1998.",
        homepage: "https://yann.lecun.com/exdb/mnist/")

    public static let fashionMNIST = idx(
        "fashion_mnist", "Fashion-MNIST (Zalando article images)",
        prefixes: ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
                   "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/"],
        files: [(nil, "8d4fb7e6c68d591d4c3dfef9ec88bf0d", nil), (nil, "25c81989df183df01b3e8a0aad5dffbe", nil),
                (nil, "bef4ecab320f06d8554ea6380940ec79", nil), (nil, "bb300cfdad3c16e7a12a480ee83cd310", nil)],
        license: "MIT",
        citation: "H. Xiao, K. Rasul, R. Vollgraf. Fashion-MNIST: a novel image dataset for benchmarking machine learning algorithms. arXiv:1708.07747, 2017.",
        homepage: "https://github.com/zalandoresearch/fashion-mnist")

    public static let kmnist = idx(
        "kmnist", "Kuzushiji-MNIST (cursive Japanese characters)",
        prefixes: ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"],
        files: [(nil, "bdb82020997e1d708af4cf47b453dcf7", nil), (nil, "e144d726b3acfaa3e44228e80efcd344", nil),
                (nil, "5c965bf0a639b31b8f53240b1b52f4d7", nil), (nil, "7320c461ea6c1c855c0b718fb2a4b134", nil)],
        license: "CC BY-SA 4.0",
        citation: "T. Clanuwat, M. Bober-Irizar, A. Kitamoto, A. Lamb, K. Yamamoto, D. Ha. Deep learning for classical Japanese literature. arXiv:1812.01718, 2018.",
        homepage: "https://github.com/rois-codh/kmnist")

    public static let cifar10 = KnownDataset(
        name: "cifar10", title: "CIFAR-10 (binary version)", format: .cifar10(archive: "cifar-10-binary.tar.gz"),
        files: [DataFile("cifar-10-binary.tar.gz", size: 170_052_171, md5: "c32a1d4ab5d03f1284b67883e8d87530",
                         urls: ["https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"])],
        facts: Facts(train: 50_000, test: 10_000, classes: 10, featureShape: [32, 32, 3]),
        license: "no license stated by the authors; cite the report",
        citation: "A. Krizhevsky. Learning multiple layers of features from tiny images. Technical report, University of Toronto, 2009.",
        homepage: "https://www.cs.toronto.edu/~kriz/cifar.html")

    public static let cifar100 = KnownDataset(
        name: "cifar100", title: "CIFAR-100 (binary version, fine labels)", format: .cifar100(archive: "cifar-100-binary.tar.gz"),
        files: [DataFile("cifar-100-binary.tar.gz", size: 168_513_733, md5: "03b5dce01913d631647c71ecec9e9cb8",
                         urls: ["https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz"])],
        facts: Facts(train: 50_000, test: 10_000, classes: 100, featureShape: [32, 32, 3]),
        license: "no license stated by the authors; cite the report",
        citation: "A. Krizhevsky. Learning multiple layers of features from tiny images. Technical report, University of Toronto, 2009.",
        homepage: "https://www.cs.toronto.edu/~kriz/cifar.html")

    public static let svhn = KnownDataset(
        name: "svhn", title: "Street View House Numbers (cropped digits)", format: .svhn(train: "train_32x32.mat", test: "test_32x32.mat"),
        files: [DataFile("train_32x32.mat", size: 182_040_794, md5: "e26dedcc434d2e4c54c9b2d4a06d8373",
                         urls: ["http://ufldl.stanford.edu/housenumbers/train_32x32.mat"]),
                DataFile("test_32x32.mat", size: 64_275_384, md5: "eb5a983be6a315427106f1b164d9cef3",
                         urls: ["http://ufldl.stanford.edu/housenumbers/test_32x32.mat"])],
        facts: Facts(train: 73_257, test: 26_032, classes: 10, featureShape: [32, 32, 3]),
        license: "non-commercial use only",
        citation: "Y. Netzer, T. Wang, A. Coates, A. Bissacco, B. Wu, A. Y. Ng. Reading digits in natural images with unsupervised feature learning. NIPS Workshop on Deep Learning, 2011.",
        homepage: "http://ufldl.stanford.edu/housenumbers/")

    public static let ames = KnownDataset(
        name: "ames", title: "Ames, Iowa housing sales (De Cock), SalePrice regression",
        format: .csvRegression(table: "AmesHousing.csv", target: "SalePrice", drop: ["Order", "PID"]),
        files: [DataFile("AmesHousing.csv", size: 963_741, md5: "d75f0169b67b9fa328f39aac59ea27ca",
                         sha256: "9be4e178af290abcc41e82402e9eca2bd767f22aa148d155531fed4f7c5b55da", urls: [])],
        facts: Facts(train: 2_930, test: 0, classes: nil, featureShape: [218]),
        license: "free for education and research (Journal of Statistics Education data archive)",
        citation: "D. De Cock. Ames, Iowa: alternative to the Boston housing data as an end of semester regression project. Journal of Statistics Education 19(3), 2011.",
        homepage: "https://jse.amstat.org/v19n3/decock.pdf")
}
