import NIOCore
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

/// The host's stream negotiation deadline (`streamNegotiationTimeout`) over real loopback connections.
@Suite(.serialized, .timeLimit(.minutes(1))) struct HostStreamNegotiationTests {
    @Test func aPeerThatNeverProposesIsResetAtTheTimeoutAndTheReasonIsEmitted() async throws {
        let limit = Duration.milliseconds(300)
        let (listener, address) = try await HostTestSupport.echoListener { $0.streamNegotiationTimeout = limit }
        let dialer = try HostTestSupport.makeHost()
        defer { Task { await listener.shutdown(); await dialer.shutdown() } }
        let events = listener.events(bufferLimit: 1000)
        let connection = try await dialer.dial(address)
        // A bare yamux stream: the listener sends its multistream header and waits for a proposal.
        let raw = try await connection.muxed.openStream()
        let opened = ContinuousClock.now
        await #expect(throws: YamuxStreamError.resetByRemote(code: 0)) {
            while try await raw.read() != nil {}
        }
        #expect(ContinuousClock.now - opened >= limit)
        var reason: String?
        for await record in events {
            if case .streamNegotiationFailed(_, let streamID, let why) = record.event, streamID == raw.streamID {
                reason = why
                break
            }
        }
        #expect(reason == ProtocolTimeoutError(activity: "protocol negotiation on stream \(raw.streamID)",
                                               limit: limit).description)
    }

    @Test func negotiatedStreamsOutliveTheNegotiationTimeoutOnBothSides() async throws {
        let limit = Duration.milliseconds(150)
        let (listener, address) = try await HostTestSupport.echoListener { $0.streamNegotiationTimeout = limit }
        let dialer = try HostTestSupport.makeHost { $0.streamNegotiationTimeout = limit }
        defer { Task { await listener.shutdown(); await dialer.shutdown() } }
        let events = listener.events(bufferLimit: 1000)
        let connection = try await dialer.dial(address)
        // Several protocols: the dialer waits for the listener's answer inside its deadline.
        let (stream, chosen) = try await dialer.newStream(on: connection, protocols: ["/nobody/1.0.0", EchoProtocol.id])
        #expect(chosen == EchoProtocol.id)
        try await Task.sleep(for: limit * 3)
        let payload = HostTestSupport.payload(seed: 7, count: 4096)
        #expect(try await HostTestSupport.echo(payload, over: stream) == payload)
        var negotiated = false
        for await record in events {
            if case .streamNegotiationFailed(_, _, let reason) = record.event {
                Issue.record("unexpected negotiation failure: \(reason)")
            }
            if case .streamProtocolNegotiated(_, _, let protocolID) = record.event, protocolID == EchoProtocol.id {
                negotiated = true
                break
            }
        }
        #expect(negotiated)
    }

    @Test func finishingAStreamWhosePeerNeverClosesResetsItAtTheLingerLimit() async throws {
        let (listener, address) = try await HostTestSupport.echoListener()
        // Holds its stream without reading or closing it.
        listener.setStreamHandler("/peerscope/test/silent/1.0.0") { _ in try await Task.sleep(for: .seconds(10)) }
        let dialer = try HostTestSupport.makeHost()
        defer { Task { await listener.shutdown(); await dialer.shutdown() } }
        let connection = try await dialer.dial(address)
        let (stream, _) = try await dialer.newStream(on: connection, protocols: ["/peerscope/test/silent/1.0.0"])
        let started = ContinuousClock.now
        await Host.finish(stream, timeout: .milliseconds(200))
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(200) && waited < .seconds(5))
        await #expect(throws: YamuxStreamError.resetLocally) { try await stream.underlying.read() }
    }

    @Test func finishingAStreamWhosePeerAlreadyClosedReturnsAtOnce() async throws {
        let pair = MemoryStreamPair()
        try await pair.listener.closeWrite()
        let started = ContinuousClock.now
        await Host.finish(NegotiatedStream(pair.dialer, leftover: ByteBuffer()), timeout: .seconds(5))
        #expect(ContinuousClock.now - started < .seconds(1))
        #expect(pair.dialer.didCloseWrite)
        #expect(!pair.dialer.wasReset)
    }

    @Test func finishingAnInMemoryStreamWhosePeerNeverClosesGivesUpAtTheLimit() async throws {
        let pair = MemoryStreamPair()
        let started = ContinuousClock.now
        await Host.finish(NegotiatedStream(pair.dialer, leftover: ByteBuffer()), timeout: .milliseconds(100))
        #expect(ContinuousClock.now - started >= .milliseconds(100))
        #expect(pair.dialer.didCloseWrite)
    }
}
