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

@Suite("Ping payload")
struct PingPayloadTests {
    @Test("32 bytes, fresh for every ping")
    func payloadsAreFullAndDistinct() {
        let payloads = (0..<64).map { _ in PingClient.randomPayload() }
        #expect(payloads.allSatisfy { $0.count == PingProtocol.payloadSize })
        // 64 draws of 256 random bits: a repeat means the generator is not being used.
        #expect(Set(payloads).count == payloads.count)
        // Every byte position varies across pings (a byte left at zero would not).
        for position in 0..<PingProtocol.payloadSize {
            #expect(Set(payloads.map { $0[position] }).count > 1, "byte \(position) never changes")
        }
    }
}
