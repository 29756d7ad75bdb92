// swift-tools-version: 6.0
import PackageDescription

// The stages are modules and their dependencies are the architecture; every arrow points
// down the chain, never back up:
//
//   PCIPlanSource   bytes, source ranges, diagnostics catalogue, XML reader (libxml2)
//        ↑
//   PCIPlanModel    the domain model, libvirt's define-time normalisation, machine descriptors
//        ↑
//   PCIPlanPlanner  libvirt's address set, the planner and the checker
//        ↑
//   PCIPlanOutput   renderers (XML write-back, JSON, QEMU arguments, tree, dot), diff, keep, explain
//        ↑
//   PCIPlan         the umbrella users import: `Pipeline`, one entry point per command
//        ↑
//   pciplan         the command line: the only place that touches files, the terminal and exit codes
//
// Beside the chain, PCIPlanLibvirt reads domain XML from a running libvirt for `--connect`: an
// input source like a file, used by the command line only. It opens libvirt's client library at
// run time (dlopen), so nothing here links libvirt and pciplan runs where it is not installed.

/// When the command line is linked statically (the `pciplan` target below).
let staticRelease = BuildSettingCondition.when(platforms: [.linux], configuration: .release)
/// `PCIPLAN_PIE=1 swift build -c release` links a position-independent executable instead
/// (see the `pciplan` target for what it costs at start-up).
let positionIndependent = Context.environment["PCIPLAN_PIE"] == "1"

let package = Package(
    name: "pciplan",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "PCIPlan", targets: ["PCIPlan"]),
        .executable(name: "pciplan", targets: ["pciplan"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // `swift package generate-documentation` (DocC); a command plugin, not linked into anything.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // libxml2 straight from the system (Debian: libxml2-dev); FoundationXML hides the
        // parser context we need for byte offsets and entity limits.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .target(name: "PCIPlanSource", dependencies: ["CLibXML2"]),
        .target(name: "PCIPlanModel", dependencies: ["PCIPlanSource"]),
        .target(name: "PCIPlanPlanner", dependencies: ["PCIPlanModel"]),
        .target(name: "PCIPlanOutput", dependencies: ["PCIPlanPlanner"]),
        // The umbrella names every module it re-exports (Exports.swift), so DocC can link from
        // its articles to each stage's types (it resolves links only into direct dependencies).
        .target(name: "PCIPlan", dependencies: ["PCIPlanSource", "PCIPlanModel", "PCIPlanPlanner", "PCIPlanOutput"]),
        .target(name: "PCIPlanLibvirt"),
        .executableTarget(
            name: "pciplan",
            dependencies: [
                "PCIPlan",
                "PCIPlanLibvirt",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // Release builds on Linux are one binary to copy onto a host, and start fast: the Swift
            // runtime and FoundationEssentials (what ArgumentParser and the CLI use) are linked
            // statically, which spares the dynamic loader ~13 M instructions of symbol binding
            // and the runtime scans of full Foundation's conformances (README "Speed"). Only libc,
            // libxml2 and their own dependencies stay shared. `-static-stdlib` at compile time too:
            // then this module's imports name the static libraries' own dependencies
            // (_FoundationCShims, _FoundationCollections) to the linker. lld, because gold warns
            // about glibc's mktemp, which FoundationEssentials' Data+Writing references. Debug
            // builds and the test bundle keep the shared runtime. `-no-pie`: a position-dependent
            // executable needs none of the ~50,000 relative relocations the loader otherwise applies
            // to the Swift metadata at every start (each page it writes is a copy-on-write fault:
            // ~130 of a small run's ~490 faults, ~1.5 ms of its ~5.5 ms here); the price is that
            // the executable itself loads at a fixed address (its libraries, heap and stack are
            // still randomised). `PCIPLAN_PIE=1` builds a PIE instead.
            swiftSettings: [.unsafeFlags(["-static-stdlib"], staticRelease)],
            linkerSettings: [.unsafeFlags(
                ["-static-stdlib", "-use-ld=lld"] + (positionIndependent ? [] : ["-Xclang-linker", "-no-pie"]), staticRelease)]
        ),
        .executableTarget(
            name: "pciplan-bench",
            // CLibXML2: the bare SAX parse floor the reader is measured against.
            dependencies: ["PCIPlan", "CLibXML2"]
        ),
        // Fuzzing (Scripts/fuzz, README "Fuzzing"): PCIPlanFuzz runs one input through every
        // command; pciplan-fuzz is the libFuzzer target in a `-sanitize=fuzzer` build with
        // `-DPCIPLAN_LIBFUZZER`, and replays saved inputs in a plain one. CLibFuzzer only
        // declares libFuzzer's driver entry point; nothing links it outside the fuzz build.
        .systemLibrary(name: "CLibFuzzer"),
        .target(name: "PCIPlanFuzz", dependencies: ["PCIPlan"]),
        .executableTarget(
            name: "pciplan-fuzz",
            dependencies: ["PCIPlanFuzz", "CLibFuzzer"]
        ),
        .testTarget(
            name: "PCIPlanTests",
            dependencies: ["PCIPlan", "PCIPlanLibvirt", "PCIPlanFuzz"],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
