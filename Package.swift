// swift-tools-version:6.0
// alflow — reproducible deep active-learning experiments.
// Module layers follow docs/architecture.md §1: imports point down only.
import PackageDescription

let package = Package(
    name: "alflow",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "alflow", targets: ["alflow"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
    ],
    targets: [
        // C bridges (system libraries found through pkg-config).
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev", "pkg-config"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-serial",
                       providers: [.apt(["libhdf5-dev", "pkg-config"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1",
                       providers: [.apt(["libyaml-dev", "pkg-config"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev", "pkg-config"])]),

        // Numerics and machine learning.
        // alflow's own vector kernels (C: per-function instruction sets, picked at run time).
        .target(name: "CKernels"),
        .target(name: "Tensors", dependencies: ["CBLAS", "CKernels"]),
        .target(name: "NeuralNetworks", dependencies: ["Tensors"]),
        .target(name: "ActiveLearning", dependencies: ["Tensors", "NeuralNetworks"]),
        .target(name: "Datasets", dependencies: ["Tensors", "HDF5", "Suggestions", "CZlib"]),
        .target(name: "Suggestions"),
        // Query strategies: one file each, registered through a linker section.
        .target(name: "CStrategyRegistry"),
        .target(name: "Strategies", dependencies: ["Tensors", "ActiveLearning", "CStrategyRegistry"]),

        // Storage and workflow language.
        .target(name: "HDF5", dependencies: ["CHDF5"]),
        .target(name: "Fingerprints", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "ArtifactStore", dependencies: ["HDF5", "Fingerprints", "CZlib"]),
        .target(name: "Execution", dependencies: ["ArtifactStore", "Workflows"]),
        // Known data sets by name: catalogue, verified downloads into the store.
        .target(name: "DataCatalog", dependencies: ["ArtifactStore", "Datasets", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Reports", dependencies: ["ArtifactStore", "Workflows", "Fingerprints", "ActiveLearning", "Tensors"]),
        // External models (docs/external-models.md): workers, requests, identity.
        .target(name: "CSpawn"),
        .target(name: "ExternalModels", dependencies: ["CSpawn", "Execution", "ArtifactStore", "Workflows", "Fingerprints", "Strategies"]),
        .target(name: "Stages", dependencies: ["ExternalModels", "Execution", "ArtifactStore", "Workflows", "Datasets", "NeuralNetworks",
                                               "ActiveLearning", "Strategies", "DataCatalog", "Tensors", "HDF5", "Fingerprints"]),
        .target(name: "Workflows", dependencies: ["CYAML", "Fingerprints", "Suggestions", "Strategies", "DataCatalog"]),

        // The command-line tool: the only target that prints.
        .executableTarget(name: "alflow", dependencies: [
            "Tensors", "HDF5", "Fingerprints", "Workflows", "ArtifactStore", "Execution", "Stages", "Reports", "DataCatalog", "ExternalModels",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Benchmarks (bench/run compares them with bench/torch_reference.py).
        .executableTarget(name: "alflow-bench", dependencies: ["Tensors", "NeuralNetworks", "Datasets", "ActiveLearning", "CBLAS",
                                         "Workflows", "Stages", "ArtifactStore"],
                          path: "bench/harness"),

        // Tests.
        .target(name: "TestSupport", dependencies: ["DataCatalog"], path: "Tests/TestSupport"),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "TestSupport"]),
        .testTarget(name: "NeuralNetworksTests", dependencies: ["NeuralNetworks", "Datasets", "TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "TestSupport"]),
        .testTarget(name: "ActiveLearningTests", dependencies: ["ActiveLearning", "Strategies", "Datasets", "TestSupport"]),
        .testTarget(name: "HDF5Tests", dependencies: ["HDF5", "TestSupport"]),
        .testTarget(name: "FingerprintsTests", dependencies: ["Fingerprints", "TestSupport"]),
        .testTarget(name: "ArtifactStoreTests", dependencies: ["ArtifactStore", "StoreProbe", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["alflow", "ArtifactStore", "HDF5", "DataCatalog", "TestSupport"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Workflows", "ArtifactStore", "HDF5", "TestSupport"]),
        // A helper the store tests run as a separate process (killed mid-write, racing, disk limits).
        .executableTarget(name: "StoreProbe", dependencies: ["ArtifactStore", "HDF5"], path: "Tests/StoreProbe"),
        .testTarget(name: "DataCatalogTests", dependencies: ["DataCatalog", "ArtifactStore", "FetchProbe", "TestSupport"]),
        .executableTarget(name: "FetchProbe", dependencies: ["DataCatalog"], path: "Tests/FetchProbe"),
        .testTarget(name: "WorkflowsTests", dependencies: ["Workflows", "Stages", "Execution", "ArtifactStore", "ExternalModels", "TestSupport"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)

// `ALFLOW_WERROR=1` (the Makefile's default, and so CI's): any warning in alflow's own code fails the build.
if Context.environment["ALFLOW_WERROR"] == "1" {
    for target in package.targets where target.type != .system && !["CStrategyRegistry", "CSpawn", "CKernels"].contains(target.name) {
        target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-warnings-as-errors"])]
    }
}
