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

@Suite struct MultistreamDialerTests {
    static let noiseMsg1 = ByteBuffer(bytes: [0x00, 0x20] + Array(repeating: 0xab, count: 32))

    @Test func startSendsHeaderAndFirstProposalInOneWrite() throws {
        var dialer = MultistreamDialer(protocols: ["/noise", "/tls/1.0.0"])
        let actions = dialer.start()
        let expected = try ByteBuffer(
            plainHexEncodedBytes: "13 2f6d756c746973747265616d2f312e302e30 0a 07 2f6e6f697365 0a")
        #expect(actions == [.send(expected)])
    }

    @Test func echoNegotiates() {
        var dialer = MultistreamDialer(protocols: ["/noise"])
        _ = dialer.start()
        let actions = dialer.receive(multistreamWire(MultistreamMessage.header, "/noise"))
        #expect(actions == [.negotiated(protocol: "/noise", leftover: ByteBuffer())])
        #expect(dialer.phase == nil)
    }

    @Test func naThenNextProposalSucceeds() {
        var dialer = MultistreamDialer(protocols: ["/tls/1.0.0", "/noise"])
        _ = dialer.start()
        let afterNA = dialer.receive(multistreamWire(MultistreamMessage.header, "na"))
        #expect(afterNA == [.send(multistreamWire("/noise"))])
        #expect(dialer.phase == .awaitingReply(proposal: "/noise"))
        let afterEcho = dialer.receive(multistreamWire("/noise"))
        #expect(afterEcho == [.negotiated(protocol: "/noise", leftover: ByteBuffer())])
    }

    @Test func exhaustedProposalsListWhatWasProposedAndAnswered() {
        var dialer = MultistreamDialer(protocols: ["/tls/1.0.0", "/noise"])
        _ = dialer.start()
        let actions = dialer.receive(multistreamWire(MultistreamMessage.header, "na", "na"))
        #expect(
            actions == [
                .send(multistreamWire("/noise")),
                .failed(.protocolsRejected(proposed: ["/tls/1.0.0", "/noise"], answers: ["na", "na"])),
            ])
        #expect(dialer.receive(multistreamWire("/noise")) == [])
    }

    @Test func wrongHeaderFails() {
        var dialer = MultistreamDialer(protocols: ["/noise"])
        _ = dialer.start()
        let actions = dialer.receive(multistreamWire("/multistream/2.0.0"))
        #expect(actions == [.failed(.unexpectedHeader(got: "/multistream/2.0.0"))])
    }

    @Test func replyThatIsNeitherEchoNorNAFails() {
        var dialer = MultistreamDialer(protocols: ["/noise"])
        _ = dialer.start()
        let actions = dialer.receive(multistreamWire(MultistreamMessage.header, "/tls/1.0.0"))
        #expect(actions == [.failed(.unexpectedReply(proposed: "/noise", got: "/tls/1.0.0"))])
    }

    @Test func bytesAfterTheEchoAreLeftover() {
        var dialer = MultistreamDialer(protocols: ["/noise"])
        _ = dialer.start()
        let chunk = ByteBuffer.joining(multistreamWire(MultistreamMessage.header, "/noise"), Self.noiseMsg1)
        #expect(dialer.receive(chunk) == [.negotiated(protocol: "/noise", leftover: Self.noiseMsg1)])
    }

    @Test func oneByteAtATimeNegotiatesOnTheLastEchoByte() {
        var dialer = MultistreamDialer(protocols: ["/tls/1.0.0", "/noise"])
        _ = dialer.start()
        let reply = multistreamWire(MultistreamMessage.header, "na", "/noise")
        var all: [MultistreamAction] = []
        for (index, byte) in reply.dripFeedChunks.enumerated() {
            let actions = dialer.receive(byte)
            all += actions
            if index < reply.readableBytes - 1 {
                #expect(actions.outcomes.isEmpty)
            }
        }
        #expect(all.sentBytes == multistreamWire("/noise"))
        #expect(all.outcomes == [.negotiated(protocol: "/noise", leftover: ByteBuffer())])
    }

    @Test func oversizeReplyFailsBeforeItsBodyArrives() throws {
        var dialer = MultistreamDialer(protocols: ["/noise"])
        _ = dialer.start()
        let actions = dialer.receive(try ByteBuffer(plainHexEncodedBytes: "ff ff 03"))
        #expect(actions == [.failed(.messageTooLong(limit: 1024, declared: 65535))])
    }

    @Test func missingNewlineFails() throws {
        var dialer = MultistreamDialer(protocols: ["/noise"])
        _ = dialer.start()
        let actions = dialer.receive(try ByteBuffer(plainHexEncodedBytes: "13 2f6d756c746973747265616d2f312e302e30 20"))
        #expect(actions == [.failed(.missingNewline)])
    }

    @Test func lazyModeReportsSelectionBeforeConfirmation() {
        var dialer = MultistreamDialer(protocols: ["/yamux/1.0.0"], lazy: true)
        let start = dialer.start()
        #expect(
            start == [
                .send(multistreamWire(MultistreamMessage.header, "/yamux/1.0.0")),
                .optimisticallySelected(protocol: "/yamux/1.0.0"),
            ])
        #expect(dialer.phase == .awaitingHeader)
        let data = ByteBuffer(bytes: [0, 1, 2, 3])
        let actions = dialer.receive(ByteBuffer.joining(multistreamWire(MultistreamMessage.header, "/yamux/1.0.0"), data))
        #expect(actions == [.negotiated(protocol: "/yamux/1.0.0", leftover: data)])
    }

    @Test func lazyModeStillDetectsRefusal() {
        var dialer = MultistreamDialer(protocols: ["/yamux/1.0.0"], lazy: true)
        _ = dialer.start()
        let actions = dialer.receive(multistreamWire(MultistreamMessage.header, "na"))
        #expect(actions == [.failed(.protocolsRejected(proposed: ["/yamux/1.0.0"], answers: ["na"]))])
    }

    @Test func phaseNamesWhatWeWaitFor() {
        var dialer = MultistreamDialer(protocols: ["/noise"])
        _ = dialer.start()
        #expect(dialer.phase == .awaitingHeader)
        _ = dialer.receive(multistreamWire(MultistreamMessage.header))
        #expect(dialer.phase == .awaitingReply(proposal: "/noise"))
    }
}
