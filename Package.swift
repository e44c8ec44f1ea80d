// swift-tools-version:6.1
import PackageDescription

/// One settings array for every target, so the whole package speaks one dialect.
let swiftSettings: [SwiftSetting] = [
    // Swift 6 language mode: strict concurrency checking is an error, not a warning.
    .swiftLanguageMode(.v6),
    // `any` on every existential makes dynamic dispatch visible where it costs.
    .enableUpcomingFeature("ExistentialAny"),
    // A file sees only the modules it imports itself, so dependencies stay honest.
    .enableUpcomingFeature("MemberImportVisibility"),
    // Imports are internal unless marked `public import`: our API does not leak dependencies.
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Ballast",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ballast", targets: ["ballast"]),
        .library(name: "BallastCore", targets: ["BallastCore"]),
        .library(name: "PromText", targets: ["PromText"]),
        .library(name: "PromQL", targets: ["PromQL"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    ],
    targets: [
        // MARK: Pure logic (no I/O; time is a parameter)
        .target(name: "BallastCore", swiftSettings: swiftSettings),
        .target(name: "PromText", swiftSettings: swiftSettings),
        .target(name: "PromQL", dependencies: ["PromText"], swiftSettings: swiftSettings),

        // MARK: Inference engine
        .target(
            name: "CEngineKernels",
            cSettings: [
                // Release-grade code even in debug builds: kernels are unusably slow at -O0.
                .unsafeFlags(["-O3"]),
            ]
        ),
        .target(name: "Engine", dependencies: ["CEngineKernels"], swiftSettings: swiftSettings),

        // MARK: Inference worker (HTTP server over the engine)
        .target(
            name: "Worker",
            dependencies: [
                "Engine", "PromText",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                // The bound port (`Channel.localAddress`) when the worker listens on port 0.
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Files: policies in, manifests out
        .target(
            name: "PolicyFile",
            dependencies: ["BallastCore", "PromQL", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Manifests",
            dependencies: ["BallastCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),

        // MARK: Controller: state, metrics sources, runtimes, the daemon
        .target(
            name: "Store",
            dependencies: ["BallastCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Controller",
            dependencies: [
                "BallastCore", "PromText", "PromQL", "PolicyFile", "Manifests", "Store",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Command line
        .target(
            name: "BallastCLI",
            dependencies: [
                "BallastCore", "PromText", "PromQL", "PolicyFile", "Manifests", "Engine", "Worker", "Controller", "Store",
                .product(name: "Logging", package: "swift-log"),
                // `ballast load` streams from the server under test.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // `ballast controller` serves its API and runs its parts in one service group.
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "ballast", dependencies: ["BallastCLI"], swiftSettings: swiftSettings),

        // MARK: Test kit and tests
        .target(name: "BallastTesting", dependencies: ["BallastCore"], swiftSettings: swiftSettings),
        // What several test targets share: bounded waits for a condition, and real servers (Prometheus).
        .target(name: "BallastTestSupport", swiftSettings: swiftSettings),
        .testTarget(name: "BallastTestSupportTests", dependencies: ["BallastTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "BallastCoreTests",
            dependencies: ["BallastCore", "BallastTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "PromTextTests", dependencies: ["PromText", "BallastTestSupport"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "PromQLTests", dependencies: ["PromQL", "PromText", "PolicyFile", "BallastTestSupport"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "PolicyFileTests", dependencies: ["PolicyFile", "BallastCore", "BallastTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ManifestsTests",
            dependencies: [
                "Manifests", "PolicyFile", "BallastCore", "BallastTestSupport", .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "BallastTestSupport"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(
            name: "WorkerTests",
            dependencies: [
                "Worker", "Engine", "PromText", "BallastTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StoreTests",
            dependencies: [
                "Store", "BallastCore", "BallastTesting", "BallastTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ControllerTests",
            dependencies: [
                "Controller", "BallastCore", "BallastTesting", "BallastTestSupport", "PromText", "PolicyFile", "Store",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BallastCLITests",
            dependencies: [
                "BallastCLI", "BallastCore", "Controller", "BallastTestSupport", "PolicyFile",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["Snapshots"],
            swiftSettings: swiftSettings
        ),
    ]
)
