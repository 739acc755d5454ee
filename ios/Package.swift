// swift-tools-version:5.9
// The core as a Swift package: the UniFFI-generated Swift over an XCFramework of the Rust library.
// Both are produced by scripts/build-ios on a Mac; neither is committed.
import PackageDescription

let package = Package(
    name: "SafeguardingCore",
    platforms: [.iOS(.v17)],
    products: [
        .library(name: "SafeguardingCore", targets: ["SafeguardingCore"]),
    ],
    targets: [
        .binaryTarget(name: "SafeguardingCoreFFI", path: "SafeguardingCoreFFI.xcframework"),
        .target(
            name: "SafeguardingCore",
            dependencies: ["SafeguardingCoreFFI"],
            path: "Sources/SafeguardingCore"
        ),
    ]
)
