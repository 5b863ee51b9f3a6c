import Foundation
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

/// Our node against an unmodified py-libp2p 0.8.1 peer, both directions: Noise + yamux, each
/// connection carrying 10 concurrent `/echo/1.0.0` streams of 1 MiB checked byte for byte.
@Suite("py-libp2p interop: connections", .serialized)
struct PyLibp2pConnectionInteropTests {
    static let keyTypes: [PythonPeerStack.KeyType] = [.ed25519, .secp256k1]

    @Test("we dial py-libp2p", .pythonInterop, .timeLimit(.minutes(2)), arguments: keyTypes)
    func weDialPy(pyKey: PythonPeerStack.KeyType) async throws {
        let python = try PythonInterop.peer()
        var stack = PythonPeerStack()
        stack.keyType = pyKey
        let listener = try await python.listen(stack: stack)
        let host = try HostTestSupport.makeHost()
        defer { Task { await host.shutdown() } }

        let address = try Multiaddr(listener.multiaddr)
        let connection = try await host.dial(address)
        #expect(connection.peer.base58 == listener.peerID)
        #expect(connection.upgraded.security == "/noise")
        #expect(connection.upgraded.muxer == "/yamux/1.0.0")
        #expect(!connection.upgraded.earlyMuxerNegotiation, "py-libp2p 0.8.1 never negotiates the muxer inside Noise")

        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<10 {
                group.addTask {
                    let data = HostTestSupport.payload(seed: UInt64(index), count: 1 << 20)
                    let (stream, _) = try await host.newStream(on: connection, protocols: [EchoProtocol.id])
                    let back = try await HostTestSupport.echo(data, over: stream)
                    #expect(back.count == data.count)
                    #expect(back == data, "stream \(index) came back altered")
                }
            }
            try await group.waitForAll()
        }
        _ = await listener.stop()
    }

    @Test("py-libp2p dials us", .pythonInterop, .timeLimit(.minutes(2)), arguments: keyTypes)
    func pyDialsUs(pyKey: PythonPeerStack.KeyType) async throws {
        let python = try PythonInterop.peer()
        let (host, address) = try await HostTestSupport.echoListener()
        defer { Task { await host.shutdown() } }

        var stack = PythonPeerStack()
        stack.keyType = pyKey
        let result = try await python.dial(address.description, .echo(streams: 10, bytes: 1 << 20), stack: stack)
        #expect(result.connection.ok)
        #expect(result.connection.remotePeerID == host.peerID.base58)
        #expect(result.report.streams == 10)
        #expect(result.report.totalBytes == 10 << 20)
        #expect(result.report.perStream.allSatisfy { $0.bytes == 1 << 20 })
    }

    @Test("a wrong /p2p/ peer ID fails with the mismatch", .pythonInterop, .timeLimit(.minutes(1)))
    func wrongPeerIDIsReported() async throws {
        let python = try PythonInterop.peer()
        let listener = try await python.listen()
        let host = try HostTestSupport.makeHost()
        defer { Task { await host.shutdown() } }
        let impostor = try PrivateKey.generate(.ed25519).peerID
        let address = try Multiaddr(listener.multiaddr).withoutPeerID.encapsulate(.p2p(impostor))

        let error = await #expect(throws: HostError.self) { try await host.dial(address) }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("peer ID mismatch"))
        #expect(text.contains(impostor.base58))
        #expect(text.contains(listener.peerID))
        _ = await listener.stop()
    }
}
