import Datasets
import Foundation
import TestSupport
import Testing

@Suite struct CSVLoaderTests {
    func load(_ text: String, _ options: CSVLoader.Options) throws -> RawDataset {
        try CSVLoader.load(bytes: Array(text.utf8), file: "t.csv", options: options)
    }

    @Test func parsesQuotesCRLFAndBOM() throws {
        let text = "\u{FEFF}a,\"b, with comma\",c\r\n1,\"x \"\"q\"\"\",3\r\n\n4,\"multi\nline\",6\r\n"
        let rows = try CSVParser.parse(Array(text.utf8), file: "t.csv")
        #expect(rows.map(\.fields) == [["a", "b, with comma", "c"], ["1", "x \"q\"", "3"], ["4", "multi\nline", "6"]])
        #expect(rows.map(\.line) == [1, 2, 4])
    }

    @Test func encodesNumericAndCategoricalColumns() throws {
        let text = "id,size,color,label\n1,2.5,red,yes\n2,3.5,blue,no\n3,1.0,red,yes\n"
        let data = try load(text, .init(target: "label", task: .classification, drop: ["id"]))
        #expect(data.featureNames == ["size", "color=blue", "color=red"])
        #expect(data.samples.features.scalars == [2.5, 0, 1, 3.5, 1, 0, 1, 0, 1])
        #expect(data.classNames == ["no", "yes"])
        #expect(data.samples.targets == .classes([1, 0, 1]))
        #expect(data.task == .classification(classes: 2))
    }

    @Test func dropsColumnsWithMissingValuesAndReadsRegressionTargets() throws {
        let text = "a,b,c,price\n1,,x,100\n2,5,NA,200\n3,6,y,300\n"
        let data = try load(text, .init(target: "price", task: .regression))
        #expect(data.featureNames == ["a"])
        #expect(data.samples.targets == .values([100, 200, 300]))
        let strict = #expect(throws: DataError.self) { _ = try load(text, .init(target: "price", task: .regression, missingColumns: .error)) }
        #expect(strict?.message.contains("line 2") == true)
    }

    @Test func malformedTablesGiveClearErrors() throws {
        let ragged = #expect(throws: DataError.self) { _ = try load("a,b\n1,2\n3\n", .init(target: "b", task: .regression)) }
        #expect(ragged?.message == "line 3: 1 fields, but the header has 2")
        let target = #expect(throws: DataError.self) { _ = try load("price,x\n1,2\n", .init(target: "prise", task: .regression)) }
        #expect(target?.message.contains("did you mean 'price'") == true)
        #expect(throws: DataError.self) { _ = try load("", .init(target: "a", task: .regression)) }
        #expect(throws: DataError.self) { _ = try load("a,b\n", .init(target: "a", task: .regression)) }
        let text = #expect(throws: DataError.self) { _ = try load("a,y\n1,cheap\n", .init(target: "y", task: .regression)) }
        #expect(text?.message.contains("not a number") == true)
        #expect(throws: DataError.self) { _ = try load("a,\"b\n1,2\n", .init(target: "a", task: .regression)) }
    }

    @Test(.enabled(if: TestData.available("ames"), "needs the Ames CSV (set ALFLOW_DATA_MIRROR to a folder holding it)"))
    func readsAmesWithThePapersRecipe() throws {
        let data = try CSVLoader.load(try TestData.path("ames", "AmesHousing.csv"),
                                      options: .init(target: "SalePrice", task: .regression, drop: ["Order", "PID"]))
        #expect(data.samples.count == 2930)
        #expect(data.featureShape == [218])
        #expect(!data.featureNames.contains("Alley=Grvl"))   // "NA" marks it missing, so the column is dropped
        #expect(data.featureNames.contains("Neighborhood=NAmes"))
        guard case .values(let prices) = data.samples.targets else { Issue.record("targets"); return }
        #expect(prices.first == 215_000)
    }
}
