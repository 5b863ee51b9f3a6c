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

@Suite(.serialized, .timeLimit(.minutes(1))) struct HostConnectionTests {
    @Test func dialUpgradesAndEchoesOnConcurrentStreams() async throws {
        let (listener, address) = try await HostTestSupport.echoListener()
        let dialer = try HostTestSupport.makeHost(keyType: .secp256k1)
        defer { Task { await listener.shutdown(); await dialer.shutdown() } }

        let connection = try await dialer.dial(address)
        #expect(connection.peer == listener.peerID)
        #expect(connection.upgraded.security == "/noise")
        #expect(connection.upgraded.muxer == "/yamux/1.0.0")
        #expect(connection.upgraded.earlyMuxerNegotiation, "both sides offer yamux in the Noise extensions")
        let labels = connection.upgraded.steps.map(\.step.label)
        #expect(labels.first == "tcp connected")
        #expect(labels.last == "connection ready")

        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<10 {
                group.addTask {
                    let data = HostTestSupport.payload(seed: UInt64(index), count: 1 << 20)
                    let (stream, chosen) = try await dialer.newStream(on: connection, protocols: [EchoProtocol.id])
                    #expect(chosen == EchoProtocol.id)
                    let back = try await HostTestSupport.echo(data, over: stream)
                    #expect(back == data)
                }
            }
            try await group.waitForAll()
        }
    }

    @Test func dialingTheWrongPeerIDFailsWithBothIDs() async throws {
        let (listener, address) = try await HostTestSupport.echoListener()
        let dialer = try HostTestSupport.makeHost()
        defer { Task { await listener.shutdown(); await dialer.shutdown() } }
        let impostor = try PrivateKey.generate(.ed25519).peerID
        let wrong = try address.withoutPeerID.encapsulate(.p2p(impostor))

        let error = await #expect(throws: HostError.self) { try await dialer.dial(wrong) }
        guard case .dialFailed(let failures) = error else {
            Issue.record("expected dialFailed, got \(String(describing: error))")
            return
        }
        #expect(failures.count == 1)
        #expect(failures.first?.reason.contains(impostor.base58) == true)
        #expect(failures.first?.reason.contains(listener.peerID.base58) == true)
        #expect(failures.first?.step == UpgradePhase.peerVerification.rawValue)
    }
}
