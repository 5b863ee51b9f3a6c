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

@Suite struct MultistreamNegotiationHandlerTests {
    static func install(
        _ pair: EmbeddedChannelPair, dialer: MultistreamDialer, listener: MultistreamListener
    ) throws -> (dialed: EventLoopFuture<String>, listened: EventLoopFuture<String>) {
        let dialed = pair.client.eventLoop.makePromise(of: String.self)
        let listened = pair.server.eventLoop.makePromise(of: String.self)
        try pair.client.pipeline.syncOperations.addHandler(
            MultistreamNegotiationHandler(dialer: dialer, negotiated: dialed))
        try pair.server.pipeline.syncOperations.addHandler(
            MultistreamNegotiationHandler(listener: listener, negotiated: listened))
        return (dialed.futureResult, listened.futureResult)
    }

    static func hasNegotiationHandler(_ channel: EmbeddedChannel) -> Bool {
        (try? channel.pipeline.syncOperations.handler(type: MultistreamNegotiationHandler.self)) != nil
    }

    @Test func negotiatesAndLeavesThePipeline() throws {
        let pair = EmbeddedChannelPair()
        let (dialed, listened) = try Self.install(
            pair, dialer: MultistreamDialer(protocols: ["/tls/1.0.0", "/noise"]),
            listener: MultistreamListener(supportedProtocols: ["/noise"]))
        try pair.activate()
        try pair.shuttle()
        #expect(try dialed.wait() == "/noise")
        #expect(try listened.wait() == "/noise")
        #expect(!Self.hasNegotiationHandler(pair.client))
        #expect(!Self.hasNegotiationHandler(pair.server))
    }

    @Test func bytesBehindTheProposalAreForwarded() throws {
        let pair = EmbeddedChannelPair()
        let (_, listened) = try Self.install(
            pair, dialer: MultistreamDialer(protocols: ["/noise"]),
            listener: MultistreamListener(supportedProtocols: ["/noise"]))
        try pair.activate()
        var proposal = try EmbeddedChannelPair.drainOutbound(pair.client)
        proposal.writeString("first bytes of the next protocol")
        try pair.server.writeInbound(proposal)
        #expect(try listened.wait() == "/noise")
        #expect(
            try EmbeddedChannelPair.drainInbound(pair.server) == ByteBuffer(string: "first bytes of the next protocol"))
        #expect(!Self.hasNegotiationHandler(pair.server))
    }

    @Test func refusalFailsThePromiseAndCloses() throws {
        let pair = EmbeddedChannelPair()
        let (dialed, _) = try Self.install(
            pair, dialer: MultistreamDialer(protocols: ["/tls/1.0.0"]),
            listener: MultistreamListener(supportedProtocols: ["/noise"]))
        try pair.activate()
        try pair.shuttle()
        #expect(throws: MultistreamError.protocolsRejected(proposed: ["/tls/1.0.0"], answers: ["na"])) {
            try dialed.wait()
        }
        #expect(!pair.client.isActive)
    }

    @Test func closeDuringNegotiationNamesThePhase() throws {
        let pair = EmbeddedChannelPair()
        let (dialed, _) = try Self.install(
            pair, dialer: MultistreamDialer(protocols: ["/noise"]),
            listener: MultistreamListener(supportedProtocols: ["/noise"]))
        try pair.activate()
        try pair.client.writeInbound(multistreamWire(MultistreamMessage.header))
        try pair.client.close().wait()
        #expect(throws: MultistreamError.closedDuringNegotiation(phase: .awaitingReply(proposal: "/noise"))) {
            try dialed.wait()
        }
    }

    /// The upgrade path: multistream `/noise` (lazy dialer, so Noise message 1 is pipelined behind the
    /// proposal as rust's V1Lazy does), then the Noise handshake, each layer added from the promise.
    @Test func lazyProposalWithPipelinedNoiseHandshake() throws {
        let pair = EmbeddedChannelPair()
        let (dialed, listened) = try Self.install(
            pair, dialer: MultistreamDialer(protocols: [NoiseProtocol.multistreamID], lazy: true),
            listener: MultistreamListener(supportedProtocols: [NoiseProtocol.multistreamID]))
        let clientKey = try PrivateKey.generate(.ed25519)
        let serverKey = try PrivateKey.generate(.ed25519)
        let clientNoise = pair.client.eventLoop.makePromise(of: NoiseHandshakeResult.self)
        let serverNoise = pair.server.eventLoop.makePromise(of: NoiseHandshakeResult.self)
        let client = pair.client
        let server = pair.server
        dialed.assumeIsolated().whenSuccess { _ in
            try? client.pipeline.syncOperations.addHandler(
                NoiseChannelHandler(
                    handshake: NoiseLibp2pHandshake(role: .initiator, identity: clientKey), completion: clientNoise))
        }
        listened.assumeIsolated().whenSuccess { _ in
            try? server.pipeline.syncOperations.addHandler(
                NoiseChannelHandler(
                    handshake: NoiseLibp2pHandshake(role: .responder, identity: serverKey), completion: serverNoise))
        }
        try pair.activate()
        // Header, proposal and Noise message 1 all left before any answer.
        let firstFlight = try EmbeddedChannelPair.drainOutbound(pair.client)
        #expect(firstFlight.readableBytes == 20 + 8 + 34)
        try pair.server.writeInbound(firstFlight)
        try pair.shuttle()
        #expect(try clientNoise.futureResult.wait().remotePeerID == PeerID(publicKeyProtobuf: serverKey.publicKey.marshal()))
        #expect(try serverNoise.futureResult.wait().remotePeerID == PeerID(publicKeyProtobuf: clientKey.publicKey.marshal()))
        #expect(!Self.hasNegotiationHandler(pair.client) && !Self.hasNegotiationHandler(pair.server))

        try pair.client.writeOutbound(ByteBuffer(string: "over noise"))
        try pair.shuttle()
        #expect(try EmbeddedChannelPair.drainInbound(pair.server) == ByteBuffer(string: "over noise"))
    }

    @Test func lazyDialerRefusedAfterOptimisticSuccessReportsAnError() throws {
        let pair = EmbeddedChannelPair()
        let (dialed, _) = try Self.install(
            pair, dialer: MultistreamDialer(protocols: ["/tls/1.0.0"], lazy: true),
            listener: MultistreamListener(supportedProtocols: ["/noise"]))
        try pair.activate()
        #expect(try dialed.wait() == "/tls/1.0.0")
        try pair.server.writeInbound(try EmbeddedChannelPair.drainOutbound(pair.client))
        #expect(throws: MultistreamError.protocolsRejected(proposed: ["/tls/1.0.0"], answers: ["na"])) {
            try pair.client.writeInbound(try EmbeddedChannelPair.drainOutbound(pair.server))
        }
        #expect(!pair.client.isActive)
    }

    // MARK: - Confirmation of a lazy proposal

    static func installLazy(
        _ pair: EmbeddedChannelPair, proposal: String, listenerSupports: Set<String>
    ) throws -> (dialed: EventLoopFuture<String>, confirmed: EventLoopFuture<String>) {
        let dialed = pair.client.eventLoop.makePromise(of: String.self)
        let confirmed = pair.client.eventLoop.makePromise(of: String.self)
        let listened = pair.server.eventLoop.makePromise(of: String.self)
        try pair.client.pipeline.syncOperations.addHandler(
            MultistreamNegotiationHandler(
                dialer: MultistreamDialer(protocols: [proposal], lazy: true), negotiated: dialed, confirmed: confirmed))
        try pair.server.pipeline.syncOperations.addHandler(
            MultistreamNegotiationHandler(listener: MultistreamListener(supportedProtocols: listenerSupports),
                                          negotiated: listened))
        listened.futureResult.whenFailure { _ in }
        return (dialed.futureResult, confirmed.futureResult)
    }

    @Test func lazyConfirmationWaitsForTheListenersEcho() throws {
        let pair = EmbeddedChannelPair()
        let (dialed, confirmed) = try Self.installLazy(pair, proposal: "/noise", listenerSupports: ["/noise"])
        let confirmedSeen = NIOLoopBoundBox(false, eventLoop: pair.client.eventLoop)
        confirmed.assumeIsolated().whenSuccess { _ in confirmedSeen.value = true }
        try pair.activate()
        #expect(try dialed.wait() == "/noise")
        #expect(!confirmedSeen.value, "nothing came back from the listener yet")
        try pair.shuttle()
        #expect(try confirmed.wait() == "/noise")
        #expect(!Self.hasNegotiationHandler(pair.client))
    }

    @Test func lazyRefusalFailsTheConfirmationBeforeTheChannelCloses() throws {
        let pair = EmbeddedChannelPair()
        let (dialed, confirmed) = try Self.installLazy(pair, proposal: "/noise", listenerSupports: ["/tls/1.0.0"])
        let client = pair.client
        let activeWhenRefused = NIOLoopBoundBox<Bool?>(nil, eventLoop: client.eventLoop)
        confirmed.assumeIsolated().whenFailure { _ in activeWhenRefused.value = client.isActive }
        try pair.activate()
        #expect(try dialed.wait() == "/noise")
        try pair.server.writeInbound(try EmbeddedChannelPair.drainOutbound(pair.client))
        #expect(throws: MultistreamError.protocolsRejected(proposed: ["/noise"], answers: ["na"])) {
            try pair.client.writeInbound(try EmbeddedChannelPair.drainOutbound(pair.server))
        }
        #expect(throws: MultistreamError.protocolsRejected(proposed: ["/noise"], answers: ["na"])) {
            try confirmed.wait()
        }
        #expect(activeWhenRefused.value == true, "the owner hears the refusal before the close")
        #expect(!pair.client.isActive)
    }

    @Test func lazyConfirmationFailsWhenTheConnectionClosesFirst() throws {
        let pair = EmbeddedChannelPair()
        let (_, confirmed) = try Self.installLazy(pair, proposal: "/noise", listenerSupports: ["/noise"])
        try pair.activate()
        try pair.client.writeInbound(multistreamWire(MultistreamMessage.header))
        try pair.client.close().wait()
        #expect(throws: MultistreamError.closedDuringNegotiation(phase: .awaitingReply(proposal: "/noise"))) {
            try confirmed.wait()
        }
    }

    @Test func eagerNegotiationConfirmsTogetherWithTheResult() throws {
        let pair = EmbeddedChannelPair()
        let dialed = pair.client.eventLoop.makePromise(of: String.self)
        let confirmed = pair.client.eventLoop.makePromise(of: String.self)
        try pair.client.pipeline.syncOperations.addHandler(
            MultistreamNegotiationHandler(
                dialer: MultistreamDialer(protocols: ["/noise"]), negotiated: dialed, confirmed: confirmed))
        try pair.server.pipeline.syncOperations.addHandler(
            MultistreamNegotiationHandler(listener: MultistreamListener(supportedProtocols: ["/noise"]),
                                          negotiated: pair.server.eventLoop.makePromise(of: String.self)))
        try pair.activate()
        try pair.shuttle()
        #expect(try dialed.futureResult.wait() == "/noise")
        #expect(try confirmed.futureResult.wait() == "/noise")
    }
}
