import Foundation
import NIOCore
import Testing

@testable import Core
@testable import Mplex
@testable import Multiformats
@testable import Node
@testable import Protocols

/// Our node against an unmodified py-libp2p 0.8.1 peer over Noise + mplex, both directions. py's mplex
/// has no flow control and resets a stream whose reader lags 5 s, so the exchanges are small and one at
/// a time: ping, identify, a 64 KiB echo.
@Suite("py-libp2p interop: mplex", .serialized)
struct PyLibp2pMplexInteropTests {
    static let echoBytes = 64 * 1024
    static var pyStack: PythonPeerStack {
        var stack = PythonPeerStack()
        stack.muxer = .mplex
        return stack
    }

    @Test("we dial py-libp2p over mplex", .pythonInterop, .timeLimit(.minutes(2)))
    func weDialPy() async throws {
        let python = try PythonInterop.peer()
        let listener = try await python.listen(stack: Self.pyStack)
        let host = try HostTestSupport.makeHost(configure: MplexHostTests.mplexOnly)
        defer { Task { await host.shutdown() } }

        let connection = try await host.dial(try Multiaddr(listener.multiaddr))
        #expect(connection.peer.base58 == listener.peerID)
        #expect(connection.upgraded.muxer == MplexMuxer.protocolID)

        let rtts = try await host.ping(connection, count: 3, interval: .milliseconds(10))
        #expect(rtts.count == 3)
        let identified = try await host.identify(connection)
        #expect(identified.info.protocols.contains(EchoProtocol.id))
        try await HostTestSupport.expectEcho(over: connection, on: host, bytes: Self.echoBytes)
        _ = await listener.stop()
    }

    @Test("py-libp2p dials us over mplex", .pythonInterop, .timeLimit(.minutes(2)))
    func pyDialsUs() async throws {
        let python = try PythonInterop.peer()
        let (host, address) = try await HostTestSupport.echoListener(configure: MplexHostTests.mplexOnly)
        defer { Task { await host.shutdown() } }

        let ping = try await python.dial(address.description, .ping(count: 3), stack: Self.pyStack)
        #expect(ping.connection.ok && ping.connection.muxer == "mplex")
        #expect(ping.report.count == 3)

        let identify = try await python.dial(address.description, .identify, stack: Self.pyStack)
        #expect(identify.report.agentVersion == PeerscopeVersion.agentVersion)
        #expect(identify.report.publicKeyMatchesPeer)
        #expect(identify.report.protocols.contains(EchoProtocol.id))

        let echo = try await python.dial(
            address.description, .echo(streams: 1, bytes: Self.echoBytes), stack: Self.pyStack)
        #expect(echo.connection.remotePeerID == host.peerID.base58)
        #expect(echo.report.totalBytes == Self.echoBytes)
        #expect(echo.report.perStream.allSatisfy { $0.bytes == Self.echoBytes })
    }
}
