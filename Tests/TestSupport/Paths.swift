import Foundation

/// Locations tests need: the package root, and the shared real data sets
/// that sit beside the repository (`../shared/data`) on developer machines and in CI.
public enum TestPaths {
    /// The package root, found from this file's path.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/data` beside the repository.
    public static let sharedData: URL = packageRoot.deletingLastPathComponent()
        .appendingPathComponent("shared").appendingPathComponent("data")

    public static func sharedDataFile(_ relative: String) -> String {
        sharedData.appendingPathComponent(relative).path
    }
}
