// What the command line imports besides pciplan's own modules, for every file of it.
//
// The C library (Glibc) does the I/O. Of Foundation, only FoundationEssentials: the fleet
// commands' worker protocol (JSONEncoder/JSONDecoder), FileManager's folder listing and
// ProcessInfo. It carries no ICU and is what ArgumentParser itself uses on Linux, so a
// release build links the whole program statically (Package.swift) into one binary that
// starts fast: full Foundation would add thousands of protocol conformances that the runtime
// scans on every dynamic cast ArgumentParser makes while parsing (README "Speed").
#if canImport(Glibc)
@_exported import Glibc
#elseif canImport(Darwin)
@_exported import Darwin
#endif

#if canImport(FoundationEssentials)
@_exported import FoundationEssentials
#else
@_exported import Foundation
#endif

/// exit(3), under a name a `ParsableCommand` does not shadow (ArgumentParser's `exit(withError:)`).
func terminate(_ status: Int32) -> Never { exit(status) }
