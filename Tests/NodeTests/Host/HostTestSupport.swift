import Testing
import Crypto
import NIOCore

@testable import Core
@testable import Events
@testable import Identity
@testable import Multiformats
@testable import Multistream
@testable import Node
@testable import Noise
@testable import Protocols
@testable import TCP
@testable import Upgrade
@testable import Yamux

/// Helpers shared by host-level tests over real loopback sockets.
enum HostTestSupport {
    static let loopback = try! Multiaddr("/ip4/127.0.0.1/tcp/0")

    static func makeHost(
        keyType: KeyType = .ed25519, configure: (inout HostConfiguration) -> Void = { _ in }
    ) throws -> Host {
        var configuration = HostConfiguration()
        configure(&configuration)
        return Host(identity: try PrivateKey.generate(keyType), configuration: configuration)
    }

    /// The peer ID of a key nobody holds: an address for a peer that is not there.
    static func otherPeer() -> PeerID {
        guard let key = try? PrivateKey.generate(.ed25519) else { fatalError("ed25519 key generation failed") }
        return key.peerID
    }

    /// A host listening on loopback with an echo handler; returns it and its full `/p2p/` address.
    static func echoListener(
        keyType: KeyType = .ed25519, configure: (inout HostConfiguration) -> Void = { _ in }
    ) async throws -> (Host, Multiaddr) {
        let host = try makeHost(keyType: keyType, configure: configure)
        host.setStreamHandler(EchoProtocol.id) { incoming in
            _ = try await EchoServer().serve(incoming.stream)
        }
        let bound = try await host.listen(loopback)
        return (host, host.dialableAddress(bound))
    }

    /// Deterministic pseudo-random bytes (a SHA-256 counter stream) so echoes can be checked.
    static func payload(seed: UInt64, count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count + 32)
        var counter: UInt64 = 0
        while out.count < count {
            var block = [UInt8]()
            withUnsafeBytes(of: seed.bigEndian) { block.append(contentsOf: $0) }
            withUnsafeBytes(of: counter.bigEndian) { block.append(contentsOf: $0) }
            out.append(contentsOf: SHA256.hash(data: block))
            counter += 1
        }
        return Array(out.prefix(count))
    }

    /// Opens `/echo/1.0.0` on `connection` and waits until `count` bytes came back, leaving the stream open
    /// (for snapshots of a stream that carried traffic).
    static func echoStreamWithTraffic(
        on host: Host, _ connection: HostConnection, count: Int = 1000
    ) async throws -> any MuxedStream {
        let (stream, _) = try await host.newStream(on: connection, protocols: [EchoProtocol.id])
        try await stream.write(ByteBuffer(bytes: Array(repeating: 7, count: count)))
        var echoed = 0
        while echoed < count, let chunk = try await stream.read() { echoed += chunk.readableBytes }
        return stream
    }

    /// Writes `data` in chunks, half-closes, and reads everything back. With `halfCloseFirst` false the
    /// half-close waits until all of `data` came back: for peers that end the whole stream at our end of
    /// file (kubo's stream mounting closes both directions at the first EOF it sees).
    static func echo(
        _ data: [UInt8], over stream: some MuxedStream, chunk: Int = 48 * 1024, halfCloseFirst: Bool = true
    ) async throws -> [UInt8] {
        async let received: [UInt8] = {
            var collected: [UInt8] = []
            collected.reserveCapacity(data.count)
            while halfCloseFirst || collected.count < data.count, let buffer = try await stream.read() {
                collected.append(contentsOf: buffer.readableBytesView)
                if collected.count > data.count { break }
            }
            return collected
        }()
        var offset = 0
        while offset < data.count {
            let end = min(offset + chunk, data.count)
            try await stream.write(ByteBuffer(bytes: data[offset..<end]))
            offset = end
        }
        if halfCloseFirst { try await stream.closeWrite() }
        let echoed = try await received
        if !halfCloseFirst { try? await stream.closeWrite() }
        return echoed
    }

    /// The first failure of a dial that must fail (records an issue when it succeeds or fails otherwise).
    static func dialFailure(_ dialer: Host, _ address: Multiaddr) async -> DialFailure? {
        do {
            _ = try await dialer.dial(address)
            Issue.record("dialing \(address) succeeded")
            return nil
        } catch HostError.dialFailed(let failures) {
            return failures.first
        } catch {
            Issue.record("expected dialFailed, got \(error)")
            return nil
        }
    }
}
