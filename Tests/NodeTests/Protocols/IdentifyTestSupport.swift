import Foundation
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

/// Builders shared by the identify tests.
enum IdentifyTestSupport {
    /// Each message with its uvarint length prefix, concatenated.
    static func framed(_ messages: [Identify_Pb_Identify]) -> [UInt8] {
        var out = ByteBuffer()
        for message in messages {
            out.writeUVarintLengthPrefixed(ProtobufEncoding.bytes(of: message))
        }
        return Array(buffer: out)
    }

    /// A message carrying only `key`'s public key.
    static func keyOnly(_ key: PrivateKey) -> Identify_Pb_Identify {
        var message = Identify_Pb_Identify()
        message.publicKey = Data(key.publicKey.marshal())
        return message
    }

    /// Plays a listener that sends `bytes` and closes, and runs ``IdentifyService/request(_:expectedPeer:)``.
    static func request(
        receiving bytes: [UInt8],
        from peer: PeerID,
        limits: IdentifyLimits = IdentifyLimits(),
        chunkSize: Int? = nil
    ) async throws -> IdentifyResult {
        let pair = MemoryStreamPair(chunkSize: chunkSize)
        try await pair.listener.write(ByteBuffer(bytes: bytes))
        try await pair.listener.closeWrite()
        return try await IdentifyService(limits: limits).request(pair.dialer, expectedPeer: peer)
    }

    /// The same for ``IdentifyService/receivePush(_:expectedPeer:)``.
    static func receivePush(receiving bytes: [UInt8], from peer: PeerID) async throws -> IdentifyPushResult {
        let pair = MemoryStreamPair()
        try await pair.dialer.write(ByteBuffer(bytes: bytes))
        try await pair.dialer.closeWrite()
        return try await IdentifyService().receivePush(pair.listener, expectedPeer: peer)
    }

    /// The frames of identify wire bytes, decoded one by one.
    static func splitFrames(_ bytes: [UInt8]) throws -> [Identify_Pb_Identify] {
        var buffer = ByteBuffer(bytes: bytes)
        var messages: [Identify_Pb_Identify] = []
        while buffer.readableBytes > 0 {
            guard let frame = try buffer.readUVarintLengthPrefixedSlice(maxLength: 1 << 20) else {
                throw MuxedStreamReadError.unexpectedEnd(expected: 1, received: 0)
            }
            messages.append(try Identify_Pb_Identify(serializedBytes: Array(buffer: frame)))
        }
        return messages
    }

    /// `count` distinct `/ip4/10.x.y.z/tcp/4001` addresses.
    static func addresses(_ count: Int) throws -> [Multiaddr] {
        try (0..<count).map { index in
            try Multiaddr("/ip4/10.\(index / 65536 % 256).\(index / 256 % 256).\(index % 256)/tcp/4001")
        }
    }
}
