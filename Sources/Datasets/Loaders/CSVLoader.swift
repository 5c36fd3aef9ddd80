import Foundation
import Suggestions
import Tensors

/// Turns a CSV table into samples: one target column, numeric columns as
/// they are, categorical columns one-hot encoded (one feature per distinct
/// value, in sorted order, named `column=value`).
///
/// Missing values follow the noise-stability paper's Ames recipe: a column
/// with any missing value is dropped (or, with `.error`, reported).
public enum CSVLoader {
    /// Implementation version (part of the load stage key of CSV sources); bump on any change of what it reads.
    public static let version = 1

    public enum TaskKind: String, Sendable, Equatable { case classification, regression }
    public enum MissingColumns: String, Sendable, Equatable { case drop, error }

    public struct Options: Sendable, Equatable {
        public var target: String
        public var task: TaskKind
        public var drop: [String]
        /// Field texts that mean "missing" (pandas' common defaults).
        public var missingValues: Set<String>
        public var missingColumns: MissingColumns

        public init(target: String, task: TaskKind, drop: [String] = [],
                    missingValues: Set<String> = ["", "NA", "N/A", "NaN", "nan", "null", "NULL"],
                    missingColumns: MissingColumns = .drop) {
            self.target = target
            self.task = task
            self.drop = drop
            self.missingValues = missingValues
            self.missingColumns = missingColumns
        }
    }

    public static func load(_ path: String, options: Options) throws -> RawDataset {
        try load(bytes: Gzip.readFile(path), file: path, options: options)
    }

    public static func load(bytes: [UInt8], file: String, options: Options) throws -> RawDataset {
        let rows = try CSVParser.parse(bytes, file: file)
        guard let header = rows.first else { throw DataError(file: file, "the file is empty (a header row is required)") }
        let body = Array(rows.dropFirst())
        guard !body.isEmpty else { throw DataError(file: file, "the file has a header but no data rows") }
        for row in body where row.fields.count != header.fields.count {
            throw DataError(file: file, "line \(row.line): \(row.fields.count) fields, but the header has \(header.fields.count)")
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        if let duplicate = firstDuplicate(names) { throw DataError(file: file, "the header names column '\(duplicate)' twice") }
        guard let targetColumn = names.firstIndex(of: options.target) else {
            let hint = closest(options.target, in: names).map { "; did you mean '\($0)'?" } ?? ""
            throw DataError(file: file, "no target column '\(options.target)' in the header\(hint)")
        }
        for name in options.drop where !names.contains(name) {
            let hint = closest(name, in: names).map { "; did you mean '\($0)'?" } ?? ""
            throw DataError(file: file, "column '\(name)' (listed under drop) is not in the header\(hint)")
        }

        var columns: [FeatureColumn] = []
        for (j, name) in names.enumerated() where j != targetColumn && !options.drop.contains(name) {
            let values = body.map { $0.fields[j] }
            if let missingRow = body.firstIndex(where: { options.missingValues.contains($0.fields[j]) }) {
                if options.missingColumns == .error {
                    throw DataError(file: file, "line \(body[missingRow].line): column '\(name)' has a missing value")
                }
                continue
            }
            let numbers = values.map { Double($0.trimmingCharacters(in: .whitespaces)) }
            if numbers.allSatisfy({ $0 != nil }) {
                columns.append(.numeric(name, numbers.map { $0 ?? 0 }))
            } else {
                columns.append(.categorical(name, values))
            }
        }

        let (features, featureNames) = encode(columns, rows: body.count)
        let (task, targets, classNames) = try decodeTargets(body, column: targetColumn, name: options.target,
                                                            options: options, file: file)
        return RawDataset(task: task, featureShape: [featureNames.count], featureNames: featureNames,
                          samples: LabeledSamples(features: features, targets: targets), classNames: classNames)
    }

    enum FeatureColumn {
        case numeric(String, [Double])
        case categorical(String, [String])
    }

    static func encode(_ columns: [FeatureColumn], rows: Int) -> (Tensor, [String]) {
        var names: [String] = []
        var blocks: [[Float]] = []   // one array per output feature
        for column in columns {
            switch column {
            case .numeric(let name, let values):
                names.append(name)
                blocks.append(values.map(Float.init))
            case .categorical(let name, let values):
                for category in Set(values).sorted() {
                    names.append("\(name)=\(category)")
                    blocks.append(values.map { $0 == category ? 1 : 0 })
                }
            }
        }
        var features = Tensor(shape: [rows, names.count])
        for (j, block) in blocks.enumerated() {
            for i in 0..<rows { features.scalars[i * names.count + j] = block[i] }
        }
        return (features, names)
    }

    static func decodeTargets(_ body: [CSVParser.Row], column: Int, name: String, options: Options,
                              file: String) throws -> (Task, Targets, [String]) {
        let texts = body.map { $0.fields[column].trimmingCharacters(in: .whitespaces) }
        if let missing = texts.firstIndex(where: { options.missingValues.contains($0) }) {
            throw DataError(file: file, "line \(body[missing].line): the target '\(name)' is missing")
        }
        switch options.task {
        case .regression:
            var values: [Float] = []
            for (i, text) in texts.enumerated() {
                guard let value = Double(text), value.isFinite else {
                    throw DataError(file: file, "line \(body[i].line): the regression target '\(name)' is '\(text)', not a number")
                }
                values.append(Float(value))
            }
            return (.regression, .values(values), [])
        case .classification:
            let distinct = Set(texts)
            let numeric = distinct.allSatisfy { Double($0) != nil }
            let classNames = numeric ? distinct.sorted { (Double($0) ?? 0) < (Double($1) ?? 0) } : distinct.sorted()
            guard classNames.count >= 2 else {
                throw DataError(file: file, "the target '\(name)' has a single class; classification needs at least two")
            }
            let index = Dictionary(uniqueKeysWithValues: classNames.enumerated().map { ($1, Int32($0)) })
            return (.classification(classes: classNames.count), .classes(texts.map { index[$0] ?? 0 }), classNames)
        }
    }

    static func firstDuplicate(_ names: [String]) -> String? {
        var seen = Set<String>()
        for name in names where !seen.insert(name).inserted { return name }
        return nil
    }

    static func closest(_ name: String, in names: [String]) -> String? {
        Suggestion.closest(to: name, among: names)
    }
}
