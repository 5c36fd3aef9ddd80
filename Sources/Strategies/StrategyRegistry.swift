import CStrategyRegistry

/// Every strategy linked into the binary. A strategy registers itself in
/// its own file, with no list to edit elsewhere:
///
///     @used @section("alflow_strategies")
///     let registerMargin: StrategyRegistry.Entry = { StrategyRegistry.declare(Margin.self) }
///
/// The linker gathers these entries into one section; the registry reads
/// it once, and orders the strategies by name.
public enum StrategyRegistry {
    public typealias Entry = @convention(c) () -> UnsafeRawPointer?

    /// Boxes a strategy type for the registry (called once per entry).
    public static func declare(_ strategy: any QueryStrategy.Type) -> UnsafeRawPointer? {
        UnsafeRawPointer(Unmanaged.passRetained(Declaration(strategy)).toOpaque())
    }

    final class Declaration: Sendable {
        let strategy: any QueryStrategy.Type
        init(_ strategy: any QueryStrategy.Type) { self.strategy = strategy }
    }

    /// All strategies, by name.
    public static let all: [any QueryStrategy.Type] = {
        guard var entry = alflow_strategies_begin(), let end = alflow_strategies_end() else { return [] }
        var found: [any QueryStrategy.Type] = []
        while entry < end {
            if let function = entry.pointee, let raw = function() {
                found.append(Unmanaged<Declaration>.fromOpaque(raw).takeUnretainedValue().strategy)
            }
            entry += 1
        }
        return found.sorted { $0.name < $1.name }
    }()

    public static func named(_ name: String) -> (any QueryStrategy.Type)? {
        all.first { $0.name == name }
    }
}
