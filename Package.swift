// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "pciplan",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "PCIPlan", targets: ["PCIPlan"]),
        .executable(name: "pciplan", targets: ["pciplan"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // libxml2 straight from the system (Debian: libxml2-dev); FoundationXML hides the
        // parser context we need for byte offsets and entity limits.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .target(
            name: "PCIPlan",
            dependencies: ["CLibXML2"]
        ),
        .executableTarget(
            name: "pciplan",
            dependencies: [
                "PCIPlan",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "pciplan-bench",
            dependencies: ["PCIPlan"]
        ),
        .testTarget(
            name: "PCIPlanTests",
            dependencies: ["PCIPlan"],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
