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
import NIOCore
import NIOEmbedded

/// Two embedded channels wired back to back by copying outbound bytes to the other side's inbound.
struct EmbeddedChannelPair {
    let client = EmbeddedChannel()
    let server = EmbeddedChannel()

    func activate() throws {
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 4001)
        try client.connect(to: address).wait()
        try server.connect(to: address).wait()
    }

    /// Moves bytes in both directions until neither side has anything left to send.
    func shuttle() throws {
        var moved = true
        while moved {
            moved = false
            while let bytes = try client.readOutbound(as: ByteBuffer.self) {
                try server.writeInbound(bytes)
                moved = true
            }
            while let bytes = try server.readOutbound(as: ByteBuffer.self) {
                try client.writeInbound(bytes)
                moved = true
            }
        }
    }

    /// Everything `channel` has written so far, joined.
    static func drainOutbound(_ channel: EmbeddedChannel) throws -> ByteBuffer {
        var all = ByteBuffer()
        while var bytes = try channel.readOutbound(as: ByteBuffer.self) {
            all.writeBuffer(&bytes)
        }
        return all
    }

    /// Everything that reached the end of `channel`'s pipeline, joined.
    static func drainInbound(_ channel: EmbeddedChannel) throws -> ByteBuffer {
        var all = ByteBuffer()
        while var bytes = try channel.readInbound(as: ByteBuffer.self) {
            all.writeBuffer(&bytes)
        }
        return all
    }
}

/// Collects handshake events reported to an observer closure.
final class NoiseEventLog {
    var events: [NoiseHandshakeEvent] = []
}


