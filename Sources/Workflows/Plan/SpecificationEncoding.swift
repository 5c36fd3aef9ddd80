/// How the workflow's resolved values encode into stage specifications
/// (and so into keys). Synthesised wherever every stored field is read by
/// the stage that receives it; written out only where a field must stay
/// out: where a value was written, and paths (a file's content digest is in
/// the key instead, so moving a file changes nothing).


extension StrategyKind: Encodable {
    enum CodingKeys: String, CodingKey { case name, version }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rawValue, forKey: .name)
        try container.encode(declaration.version, forKey: .version)
    }
}

extension StrategyParameters: Encodable {
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }
}

extension DatasetSpec: Encodable {
    enum CodingKeys: String, CodingKey {
        case source, task, isImage = "images", testFraction = "test_fraction", split, splitSeed = "split_seed", normalize
        case standardizeTarget = "standardize_target"
    }

    /// The split settings only when the source has no test split of its
    /// own, the split seed only for a random split, target
    /// standardisation only for regression: exactly what loading reads.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(source.value, forKey: .source)
        try container.encode(task, forKey: .task)
        try container.encode(isImage, forKey: .isImage)
        if !source.value.hasTestSplit {
            try container.encode(testFraction, forKey: .testFraction)
            try container.encode(split, forKey: .split)
            if split.value == .random { try container.encode(splitSeed, forKey: .splitSeed) }
        }
        try container.encode(normalize, forKey: .normalize)
        if task == .regression { try container.encode(standardizeTarget, forKey: .standardizeTarget) }
    }
}

extension DatasetSpec.Source: Encodable {
    enum CodingKeys: String, CodingKey {
        case kind, name, target, drop, missingValues = "missing_values", missingColumns = "missing_columns", features, targets
        case sizes, centers, spread, seed, generator, dimensions, test
    }

    /// True when the files include a test split (IDX with test images).
    public var hasTestSplit: Bool {
        if case .idx(_, _, let testImages, _) = self { return testImages != nil }
        if case .syntheticPool = self { return true }
        return false
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        switch self {
        case .builtin(let name):
            try container.encode(name, forKey: .name)
        case .idx:
            break
        case .csv(_, let target, let drop, let missing, let columns):
            try container.encode(target, forKey: .target)
            try container.encode(drop, forKey: .drop)
            try container.encode(missing.sorted(), forKey: .missingValues)
            try container.encode(columns, forKey: .missingColumns)
        case .npy:
            break
        case .hdf5(_, let features, let targets):
            try container.encode(features, forKey: .features)
            try container.encode(targets, forKey: .targets)
        case .synthetic(let sizes, let centers, let spread, let seed):
            try container.encode(sizes, forKey: .sizes)
            try container.encode(centers, forKey: .centers)
            try container.encode(spread, forKey: .spread)
            try container.encode(seed, forKey: .seed)
        case .syntheticPool(let sizes, let dimensions, let spread, let seed, let test):
            try container.encode("pool", forKey: .generator)
            try container.encode(sizes, forKey: .sizes)
            try container.encode(dimensions, forKey: .dimensions)
            try container.encode(spread, forKey: .spread)
            try container.encode(seed, forKey: .seed)
            try container.encode(test, forKey: .test)
        }
    }
}
