// swift-tools-version: 6.1
import Foundation
import PackageDescription

// `make sanitize` sets PEERSCOPE_SANITIZE=address|thread: peerscope's own targets are instrumented (not the
// dependencies). Under ASan the test target is left out: this toolchain's swift-testing `#expect` on an
// optional integer reads past a stack slot (scripts/probes/asan-expect-optional.swift).
let sanitizer = ProcessInfo.processInfo.environment["PEERSCOPE_SANITIZE"].flatMap { ["address", "thread"].contains($0) ? $0 : nil }
let sanitized: [SwiftSetting] = sanitizer.map { [.unsafeFlags(["-sanitize=\($0)"])] } ?? []
let sanitizedC: [CSetting] = sanitizer.map { [.unsafeFlags(["-fsanitize=\($0)"])] } ?? []
let sanitizedLink: [LinkerSetting] = sanitizer.map { [.unsafeFlags(["-sanitize=\($0)"])] } ?? []
let sanitizedTests: [SwiftSetting] = sanitizer == "thread" ? sanitized : []

let package = Package(
    name: "peerscope",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "peerscope", targets: ["peerscope"]),
        .library(name: "Node", targets: ["Node"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-atomics", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
    ],
    targets: [
        .systemLibrary(
            name: "CNcurses",
            path: "Sources/CNcurses",
            providers: [.apt(["libncurses-dev"])]
        ),
        .systemLibrary(
            name: "CSecp256k1",
            path: "Sources/CSecp256k1",
            providers: [.apt(["libsecp256k1-dev"])]
        ),
        // QUIC: ngtcp2 with its GnuTLS backend from Debian, and psq, our sans-IO C layer over it (datagrams in,
        // datagrams and events out, the caller's clock), so no ngtcp2 callback ever reaches Swift.
        .systemLibrary(
            name: "CNgtcp2",
            path: "Sources/CNgtcp2",
            providers: [.apt(["libngtcp2-dev", "libngtcp2-crypto-gnutls-dev", "libgnutls28-dev"])]
        ),
        .target(
            name: "CQuic",
            dependencies: ["CNgtcp2"],
            path: "Sources/CQuic",
            cSettings: sanitizedC + [.unsafeFlags(["-std=c11"])],
            // A C target gets no link lines from the system-library module it includes: named here.
            linkerSettings: [
                .linkedLibrary("ngtcp2_crypto_gnutls"), .linkedLibrary("ngtcp2"), .linkedLibrary("gnutls"), .linkedLibrary("pthread"),
            ]
        ),
        // In-place ChaCha20-Poly1305 for Noise transport frames, on the BoringSSL swift-crypto links.
        .target(
            name: "CNoiseChaChaPoly",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            cSettings: sanitizedC,
            swiftSettings: sanitized
        ),
        // The layers, lowest first; each is one target, so the compiler enforces the layering (ARCHITECTURE.md).
        .target(
            name: "Multiformats",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            cSettings: sanitizedC,
            swiftSettings: sanitized
        ),
        .target(
            name: "Identity",
            dependencies: [
                "Multiformats",
                "CSecp256k1",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            cSettings: sanitizedC,
            swiftSettings: sanitized
        ),
        // The contracts between layers: Transport, SecurityProtocol, StreamMuxer, MuxedConnection,
        // MuxedStream, the typed upgrade steps, connection IDs.
        .target(
            name: "Core",
            dependencies: [
                "Multiformats",
                "Identity",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Atomics", package: "swift-atomics"),
            ],
            cSettings: sanitizedC,
            swiftSettings: sanitized
        ),
        // libresolv (glibc): DNS queries to a chosen server and answer parsing, for /dns* and /dnsaddr.
        .target(
            name: "CResolv",
            path: "Sources/CResolv",
            cSettings: sanitizedC,
            linkerSettings: [.linkedLibrary("resolv")]
        ),
        .target(
            name: "Resolve",
            dependencies: [
                "Core", "Multiformats", "CResolv",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            cSettings: sanitizedC,
            swiftSettings: sanitized
        ),
        .target(
            name: "Multistream",
            dependencies: ["Multiformats", .product(name: "NIOCore", package: "swift-nio")],
            cSettings: sanitizedC,
            swiftSettings: sanitized
        ),
        .target(
            name: "TCP",
            dependencies: [
                "Core",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Sources/Transport/TCP",
            cSettings: sanitizedC,
            swiftSettings: sanitized
        ),
        .target(
            name: "WebSocket",
            dependencies: [
                "Core", "TCP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Atomics", package: "swift-atomics"),
            ],
            path: "Sources/Transport/WebSocket",
            cSettings: sanitizedC,
            swiftSettings: sanitized
        ),
        .target(
            name: "QUIC",
            dependencies: [
                "Core", "CQuic", "TLS", "Identity", "Multiformats",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            path: "Sources/Transport/QUIC",
            cSettings: sanitizedC,
            swiftSettings: sanitized
        ),
        .target(
            name: "Noise",
            dependencies: [
                "Core",
                "CNoiseChaChaPoly",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Sources/Security/Noise",
            cSettings: sanitizedC,
            swiftSettings: sanitized
        ),
        .target(
            name: "TLS",
            dependencies: [
                "Core",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Security/TLS",
            cSettings: sanitizedC,
            swiftSettings: sanitized
        ),
        .target(
            name: "Yamux",
            dependencies: [
                "Core",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            path: "Sources/Muxer/Yamux",
            cSettings: sanitizedC,
            swiftSettings: sanitized
        ),
        .target(
            name: "Mplex",
            dependencies: [
                "Core",
                "Multiformats",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            path: "Sources/Muxer/Mplex",
            cSettings: sanitizedC,
            swiftSettings: sanitized
        ),
        .target(
            name: "Upgrade",
            dependencies: ["Core", "Multistream", .product(name: "NIOCore", package: "swift-nio")],
            cSettings: sanitizedC,
            swiftSettings: sanitized
        ),
        .target(
            name: "Events",
            dependencies: [
                "Core",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Atomics", package: "swift-atomics"),
            ],
            cSettings: sanitizedC,
            swiftSettings: sanitized
        ),
        .target(
            name: "Protocols",
            dependencies: [
                "Core",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            cSettings: sanitizedC,
            swiftSettings: sanitized
        ),
        // The Host, with the default transports, security protocols and muxers registered; re-exports
        // every layer for the UI and the CLI.
        .target(
            name: "Node",
            dependencies: [
                "Multiformats", "Identity", "Core", "Multistream", "TCP", "WebSocket", "QUIC", "Noise", "TLS", "Yamux", "Mplex",
                "Upgrade", "Events", "Protocols", "Resolve",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            cSettings: sanitizedC,
            swiftSettings: sanitized
        ),
        .target(
            name: "TermUI",
            dependencies: ["Node", "CNcurses"],
            cSettings: sanitizedC,
            swiftSettings: sanitized
        ),
        .executableTarget(
            name: "peerscope",
            dependencies: [
                "Node",
                "TermUI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: sanitized,
            linkerSettings: sanitizedLink
        ),
        // Every fuzz target, for the libFuzzer driver and the corpus replay in the tests.
        .target(
            name: "FuzzTargets",
            dependencies: ["Multiformats", "Identity", "Multistream", "Noise", "TLS", "Yamux", "Mplex", "Protocols", "Resolve", "WebSocket"],
            cSettings: sanitizedC,
            swiftSettings: sanitized
        ),
        .executableTarget(
            name: "peerscope-fuzz",
            dependencies: ["FuzzTargets"],
            swiftSettings: sanitized,
            linkerSettings: sanitizedLink
        ),
        .executableTarget(
            name: "peerscope-bench",
            dependencies: [
                "Node",
                "TermUI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: sanitized,
            linkerSettings: sanitizedLink
        ),
        .testTarget(
            name: "NodeTests",
            dependencies: [
                "Node", "Multiformats", "Identity", "Core", "Multistream", "TCP", "WebSocket", "QUIC", "Noise", "TLS", "Yamux", "Mplex",
                "Upgrade", "Events", "Protocols", "Resolve", "FuzzTargets",
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: sanitizedTests,
            linkerSettings: sanitizedLink
        ),
        .testTarget(
            name: "TermUITests",
            dependencies: ["TermUI", "Node", "Events", "Core"],
            exclude: ["__Snapshots__"],
            swiftSettings: sanitizedTests,
            linkerSettings: sanitizedLink
        ),
    ],
    swiftLanguageModes: [.v6]
)
