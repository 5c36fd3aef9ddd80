import Foundation

/// Locations tests need: the package root (real data sets come through `TestData`).
public enum TestPaths {
    /// The package root, found from this file's path.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

extension TestPaths {
    /// The folder of the build's products (the test bundle sits there), where
    /// executables the tests run — `alflow`, `StoreProbe` — are found.
    public static var productsDirectory: URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.pathComponents.count > 1 {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("alflow").path)
                || FileManager.default.fileExists(atPath: url.appendingPathComponent("StoreProbe").path) { return url }
        }
        return packageRoot.appendingPathComponent(".build/release")
    }

    public static func product(_ name: String) -> String {
        productsDirectory.appendingPathComponent(name).path
    }
}

/// What the machine offers the tests that use outside tools; a test that
/// needs a missing one is reported as skipped (`.enabled(if:)`), never passed.
public enum Tools {
    /// True when `python3` can import every module named.
    public static func python(_ modules: String...) -> Bool {
        (try? Subprocess.run("/usr/bin/env", ["python3", "-c", "import " + modules.joined(separator: ", ")]))?.status == 0
    }

    public static func exists(_ path: String) -> Bool { FileManager.default.isExecutableFile(atPath: path) }
}
