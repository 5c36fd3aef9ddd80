import DataCatalog
import Foundation

/// Real data sets for the tests, obtained the way users obtain them: by
/// name, verified, into a store of their own (`.build/test-data`) — from
/// `ALFLOW_DATA_MIRROR` when set (CI points it at the project's shared
/// data), else downloaded once. A test that needs a set which cannot be had
/// here is reported as skipped (`.enabled(if: TestData.available(...))`).
public enum TestData {
    public static let store = TestPaths.packageRoot.appendingPathComponent(".build/test-data").path

    static func fetcher() -> DataFetcher {
        DataFetcher(storeRoot: store, mirror: DataFetcher.mirror(explicit: nil),
                    offline: ProcessInfo.processInfo.environment["ALFLOW_OFFLINE"] == "1")
    }

    /// The verified path of one file of a known data set.
    public static func path(_ dataset: String, _ name: String) throws -> String {
        guard let known = KnownDataset.named(dataset), let file = known.file(name) else { throw DataFetchError.unknown("\(dataset)/\(name)") }
        return try fetcher().fetch(file, of: dataset)
    }

    /// True when every file of the set is in the test store or can be fetched now.
    public static func available(_ dataset: String) -> Bool {
        guard let known = KnownDataset.named(dataset) else { return false }
        return (try? fetcher().fetch(known)) != nil
    }
}
