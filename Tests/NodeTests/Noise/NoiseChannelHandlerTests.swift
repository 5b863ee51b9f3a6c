import NIOCore
import NIOEmbedded
import Testing

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

@Suite struct NoiseChannelHandlerTests {
    struct Setup {
        let pair = EmbeddedChannelPair()
        let clientKey: PrivateKey
        let serverKey: PrivateKey
        let clientResult: EventLoopFuture<NoiseHandshakeResult>
        let serverResult: EventLoopFuture<NoiseHandshakeResult>
        let clientEvents = NoiseEventLog()
        let serverEvents = NoiseEventLog()

        init(expectedServer: PeerID? = nil, activate: Bool = true) throws {
            clientKey = try PrivateKey.generate(.ed25519)
            serverKey = try PrivateKey.generate(.ed25519)
            let clientPromise = pair.client.eventLoop.makePromise(of: NoiseHandshakeResult.self)
            let serverPromise = pair.server.eventLoop.makePromise(of: NoiseHandshakeResult.self)
            clientResult = clientPromise.futureResult
            serverResult = serverPromise.futureResult
            let clientEvents = self.clientEvents
            let serverEvents = self.serverEvents
            try pair.client.pipeline.syncOperations.addHandler(
                NoiseChannelHandler(
                    handshake: NoiseLibp2pHandshake(
                        role: .initiator, identity: clientKey, expectedRemotePeer: expectedServer),
                    completion: clientPromise,
                    eventObserver: { clientEvents.events.append($0) }))
            try pair.server.pipeline.syncOperations.addHandler(
                NoiseChannelHandler(
                    handshake: NoiseLibp2pHandshake(role: .responder, identity: serverKey),
                    completion: serverPromise,
                    eventObserver: { serverEvents.events.append($0) }))
            if activate {
                try pair.activate()
            }
        }

        var clientPeerID: PeerID { PeerID(publicKeyProtobuf: clientKey.publicKey.marshal()) }
        var serverPeerID: PeerID { PeerID(publicKeyProtobuf: serverKey.publicKey.marshal()) }
    }

    @Test func handshakeCompletesAndCarriesDataBothWays() throws {
        let setup = try Setup()
        try setup.pair.shuttle()
        let clientResult = try setup.clientResult.wait()
        let serverResult = try setup.serverResult.wait()
        #expect(clientResult.remotePeerID == setup.serverPeerID)
        #expect(serverResult.remotePeerID == setup.clientPeerID)
        #expect(clientResult.earlyMuxer == "/yamux/1.0.0")
        // Ed25519 identities and ["/yamux/1.0.0"] give the sizes of the libp2p_synthetic vector.
        #expect(
            setup.clientEvents.events == [
                .messageSent(number: 1, bytes: 34), .messageReceived(number: 2, bytes: 218),
                .peerVerified(setup.serverPeerID, keyType: .ed25519), .messageSent(number: 3, bytes: 186),
            ])
        #expect(
            setup.serverEvents.events == [
                .messageReceived(number: 1, bytes: 34), .messageSent(number: 2, bytes: 218),
                .messageReceived(number: 3, bytes: 186), .peerVerified(setup.clientPeerID, keyType: .ed25519),
            ])

        try setup.pair.client.writeOutbound(ByteBuffer(string: "hello"))
        try setup.pair.shuttle()
        #expect(try EmbeddedChannelPair.drainInbound(setup.pair.server) == ByteBuffer(string: "hello"))
        try setup.pair.server.writeOutbound(ByteBuffer(string: "world"))
        try setup.pair.shuttle()
        #expect(try EmbeddedChannelPair.drainInbound(setup.pair.client) == ByteBuffer(string: "world"))
    }

    @Test func smallWritesBetweenFlushesAreCoalesced() throws {
        let setup = try Setup()
        try setup.pair.shuttle()
        let client = setup.pair.client
        var promises: [EventLoopFuture<Void>] = []
        var expected = ByteBuffer()
        for index in 0..<100 {
            let chunk = NoiseTestData.pattern(1024, seed: UInt8(index))
            expected.writeImmutableBuffer(chunk)
            let promise = client.eventLoop.makePromise(of: Void.self)
            client.write(chunk, promise: promise)
            promises.append(promise.futureResult)
        }
        #expect(try client.readOutbound(as: ByteBuffer.self) == nil)
        client.flush()
        let wire = try EmbeddedChannelPair.drainOutbound(client)
        // 102400 bytes = one full 65519-byte frame + 36881 bytes.
        #expect(NoiseTestData.frameLengths(wire) == [65535, 36881 + 16])
        for promise in promises {
            try promise.wait()
        }
        try setup.pair.server.writeInbound(wire)
        #expect(try EmbeddedChannelPair.drainInbound(setup.pair.server) == expected)
    }

    @Test func largeWriteIsSplitIntoFullFrames() throws {
        let setup = try Setup()
        try setup.pair.shuttle()
        let payload = NoiseTestData.pattern(200 * 1024)
        try setup.pair.client.writeOutbound(payload)
        let wire = try EmbeddedChannelPair.drainOutbound(setup.pair.client)
        #expect(NoiseTestData.frameLengths(wire) == [65535, 65535, 65535, 8243 + 16])
        try setup.pair.server.writeInbound(wire)
        #expect(try EmbeddedChannelPair.drainInbound(setup.pair.server) == payload)
    }

    @Test func writesDuringTheHandshakeArePipelinedBehindMessageThree() throws {
        let setup = try Setup()
        let client = setup.pair.client
        let server = setup.pair.server
        let early = client.eventLoop.makePromise(of: Void.self)
        client.writeAndFlush(ByteBuffer(string: "early"), promise: early)
        // Only message 1 is out; the early data waits for the transport keys.
        let message1 = try EmbeddedChannelPair.drainOutbound(client)
        #expect(message1.readableBytes == 34)
        try server.writeInbound(message1)
        try client.writeInbound(try EmbeddedChannelPair.drainOutbound(server))
        // Message 3 and the first transport frame reach the server in one read.
        let message3AndData = try EmbeddedChannelPair.drainOutbound(client)
        #expect(NoiseTestData.frameLengths(message3AndData).count == 2)
        try early.futureResult.wait()
        try server.writeInbound(message3AndData)
        _ = try setup.serverResult.wait()
        #expect(try EmbeddedChannelPair.drainInbound(server) == ByteBuffer(string: "early"))
    }

    @Test func handshakeDrippedOneByteAtATime() throws {
        let setup = try Setup()
        var moved = true
        while moved {
            moved = false
            for (from, to) in [(setup.pair.client, setup.pair.server), (setup.pair.server, setup.pair.client)] {
                let bytes = try EmbeddedChannelPair.drainOutbound(from)
                for byte in bytes.dripFeedChunks {
                    try to.writeInbound(byte)
                    moved = true
                }
            }
        }
        #expect(try setup.clientResult.wait().remotePeerID == setup.serverPeerID)
        #expect(try setup.serverResult.wait().remotePeerID == setup.clientPeerID)
    }

    @Test func tamperedFrameClosesTheConnection() throws {
        let setup = try Setup()
        try setup.pair.shuttle()
        try setup.pair.client.writeOutbound(ByteBuffer(string: "secret"))
        var wire = try EmbeddedChannelPair.drainOutbound(setup.pair.client)
        let byte = wire.getInteger(at: 4, as: UInt8.self) ?? 0
        wire.setInteger(byte ^ 0x80, at: 4)
        #expect(throws: NoiseError.decryptionFailed(nonce: 0)) {
            try setup.pair.server.writeInbound(wire)
        }
        #expect(!setup.pair.server.isActive)
        #expect(try EmbeddedChannelPair.drainInbound(setup.pair.server).readableBytes == 0)
    }

    @Test func wrongPeerFailsTheHandshakePromise() throws {
        let someoneElse = PeerID(publicKeyProtobuf: try PrivateKey.generate(.ed25519).publicKey.marshal())
        let setup = try Setup(expectedServer: someoneElse)
        try setup.pair.server.writeInbound(try EmbeddedChannelPair.drainOutbound(setup.pair.client))
        #expect(throws: NoiseError.peerIDMismatch(expected: someoneElse, actual: setup.serverPeerID)) {
            try setup.pair.client.writeInbound(try EmbeddedChannelPair.drainOutbound(setup.pair.server))
        }
        #expect(throws: NoiseError.peerIDMismatch(expected: someoneElse, actual: setup.serverPeerID)) {
            try setup.clientResult.wait()
        }
        #expect(!setup.pair.client.isActive)
    }

    @Test func closeDuringTheHandshakeNamesTheAwaitedMessage() throws {
        let setup = try Setup()
        _ = try EmbeddedChannelPair.drainOutbound(setup.pair.client)
        try setup.pair.client.close().wait()
        #expect(throws: NoiseError.closedDuringHandshake(awaitingMessage: 2)) {
            try setup.clientResult.wait()
        }
    }

    @Test func handshakeStartsOnChannelActive() throws {
        let setup = try Setup(activate: false)
        #expect(try setup.pair.client.readOutbound(as: ByteBuffer.self) == nil)
        try setup.pair.activate()
        try setup.pair.shuttle()
        #expect(try setup.clientResult.wait().remotePeerID == setup.serverPeerID)
    }

    /// Counts the buffers written below the Noise handler (before any flush).
    final class WriteRecorder: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
        var sizes: [Int] = []

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            sizes.append(unwrapOutboundIn(data).readableBytes)
            context.write(data, promise: promise)
        }
    }

    @Test func unflushedPlaintextIsEncryptedOnceItReachesSixteenFrames() throws {
        let setup = try Setup()
        try setup.pair.shuttle()
        let recorder = WriteRecorder()
        try setup.pair.client.pipeline.syncOperations.addHandler(recorder, position: .first)
        let frame = NoiseProtocol.maxPlaintextLength
        for index in 0..<17 {
            setup.pair.client.write(NoiseTestData.pattern(frame, seed: UInt8(index)), promise: nil)
        }
        // 16 full frames went down without a flush; the 17th waits for the flush.
        #expect(recorder.sizes == [16 * (frame + 18)])
        setup.pair.client.flush()
        #expect(recorder.sizes == [16 * (frame + 18), frame + 18])
        try setup.pair.shuttle()
        #expect(try EmbeddedChannelPair.drainInbound(setup.pair.server).readableBytes == 17 * frame)
    }
}
