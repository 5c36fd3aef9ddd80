import Foundation

/// The BLAS kernel a store's results are computed with (`numerics.json`),
/// recorded by the first computation into the store. Every later process
/// that computes into the store runs the same kernel, so a run resumed or
/// continued on another machine gives the same bits.
public struct StoreNumerics: Codable, Equatable, Sendable {
    /// The OpenBLAS core, e.g. "SkylakeX".
    public var blasCore: String
    /// "native" (the fastest kernel of the machine that created the store) or "portable".
    public var mode: String

    enum CodingKeys: String, CodingKey { case blasCore = "blas_core", mode }

    public init(blasCore: String, mode: String) {
        self.blasCore = blasCore
        self.mode = mode
    }

    static func path(_ root: String) -> String { (root as NSString).standardizingPath + "/numerics.json" }

    /// The pin of the store at `root`, if any (read without writing anything).
    public static func read(root: String) -> StoreNumerics? {
        guard let data = FileManager.default.contents(atPath: path(root)) else { return nil }
        return try? JSONDecoder().decode(StoreNumerics.self, from: data)
    }
}

extension ArtifactStore {
    /// Pins `numerics` unless the store already has a pin; returns the pin in force.
    /// Two processes racing to pin agree: the first link wins, the other reads it.
    public func pin(_ numerics: StoreNumerics) throws -> StoreNumerics {
        if let pinned = StoreNumerics.read(root: layout.root) { return pinned }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(numerics) } catch {
            throw StoreError.writeFailed(path: StoreNumerics.path(layout.root), reason: "\(error)")
        }
        let temporary = layout.temporary + "/numerics.\(getpid()).\(UUID().uuidString).tmp"
        defer { unlink(temporary) }
        do { try data.write(to: URL(fileURLWithPath: temporary)) } catch {
            throw StoreError.writeFailed(path: temporary, reason: "\(error)")
        }
        try Durability.sync(temporary)
        _ = try Durability.linkNoReplace(temporary, StoreNumerics.path(layout.root))
        try Durability.sync(layout.root)
        return StoreNumerics.read(root: layout.root) ?? numerics
    }
}
