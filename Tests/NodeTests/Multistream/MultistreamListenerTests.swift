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

@Suite struct MultistreamListenerTests {
    @Test func startSendsHeader() throws {
        var listener = MultistreamListener(supportedProtocols: ["/noise"])
        let expected = try ByteBuffer(plainHexEncodedBytes: "13 2f6d756c746973747265616d2f312e302e30 0a")
        #expect(listener.start() == [.send(expected)])
    }

    @Test func supportedProposalIsEchoed() {
        var listener = MultistreamListener(supportedProtocols: ["/noise", "/tls/1.0.0"])
        _ = listener.start()
        let actions = listener.receive(multistreamWire(MultistreamMessage.header, "/noise"))
        #expect(
            actions == [
                .send(multistreamWire("/noise")),
                .negotiated(protocol: "/noise", leftover: ByteBuffer()),
            ])
    }

    @Test func unsupportedProposalGetsNAThenNextIsAccepted() {
        var listener = MultistreamListener(supportedProtocols: ["/noise"])
        _ = listener.start()
        let first = listener.receive(multistreamWire(MultistreamMessage.header, "/tls/1.0.0"))
        #expect(first == [.send(multistreamWire("na"))])
        #expect(listener.phase == .awaitingProposal)
        let second = listener.receive(multistreamWire("/noise"))
        #expect(second.outcomes == [.negotiated(protocol: "/noise", leftover: ByteBuffer())])
    }

    @Test func lsIsAnsweredWithNA() {
        var listener = MultistreamListener(supportedProtocols: ["/noise", "ls"])
        _ = listener.start()
        let actions = listener.receive(multistreamWire(MultistreamMessage.header, "ls"))
        #expect(actions == [.send(multistreamWire("na"))])
    }

    @Test func matcherClosureDecides() {
        var listener = MultistreamListener(matching: { $0.hasPrefix("/ipfs/ping/") })
        _ = listener.start()
        let actions = listener.receive(multistreamWire(MultistreamMessage.header, "/ipfs/id/1.0.0", "/ipfs/ping/1.0.0"))
        #expect(
            actions == [
                .send(multistreamWire("na")),
                .send(multistreamWire("/ipfs/ping/1.0.0")),
                .negotiated(protocol: "/ipfs/ping/1.0.0", leftover: ByteBuffer()),
            ])
    }

    @Test func givesUpAfterTooManyRejections() {
        var listener = MultistreamListener(supportedProtocols: ["/noise"], maxRejections: 3)
        _ = listener.start()
        let actions = listener.receive(multistreamWire(MultistreamMessage.header, "/a", "/b", "/c", "/d", "/noise"))
        #expect(
            actions == [
                .send(multistreamWire("na")),
                .send(multistreamWire("na")),
                .send(multistreamWire("na")),
                .failed(.tooManyRejections(limit: 3, proposals: ["/a", "/b", "/c", "/d"])),
            ])
    }

    @Test func defaultRejectionLimitIsSixteen() {
        var listener = MultistreamListener(supportedProtocols: ["/noise"])
        _ = listener.start()
        var wire = multistreamWire(MultistreamMessage.header)
        for index in 0..<17 {
            MultistreamMessage.write("/unknown/\(index)", into: &wire)
        }
        let actions = listener.receive(wire)
        #expect(actions.filter { $0 == .send(multistreamWire("na")) }.count == 16)
        guard case .failed(.tooManyRejections(limit: 16, let proposals)) = actions.last else {
            Issue.record("expected tooManyRejections, got \(actions)")
            return
        }
        #expect(proposals.count == 17)
    }

    @Test func wrongHeaderFails() {
        var listener = MultistreamListener(supportedProtocols: ["/noise"])
        _ = listener.start()
        let actions = listener.receive(multistreamWire("/noise"))
        #expect(actions == [.failed(.unexpectedHeader(got: "/noise"))])
        #expect(listener.receive(multistreamWire("/noise")) == [])
    }

    @Test func proposalPipelinedWithFirstNoiseMessageKeepsTheNoiseBytes() throws {
        var listener = MultistreamListener(supportedProtocols: ["/noise"])
        _ = listener.start()
        // libp2p_synthetic msg1_framed, sent by go/rust right behind the proposal.
        let noiseMsg1 = try ByteBuffer(
            plainHexEncodedBytes: "0020ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c7944")
        let chunk = ByteBuffer.joining(multistreamWire(MultistreamMessage.header, "/noise"), noiseMsg1)
        let actions = listener.receive(chunk)
        #expect(actions.outcomes == [.negotiated(protocol: "/noise", leftover: noiseMsg1)])
    }

    @Test func oneByteAtATime() {
        var listener = MultistreamListener(supportedProtocols: ["/yamux/1.0.0"])
        _ = listener.start()
        let wire = multistreamWire(MultistreamMessage.header, "/mplex/6.7.0", "/yamux/1.0.0")
        var all: [MultistreamAction] = []
        for byte in wire.dripFeedChunks {
            all += listener.receive(byte)
        }
        #expect(all.sentBytes == multistreamWire("na", "/yamux/1.0.0"))
        #expect(all.outcomes == [.negotiated(protocol: "/yamux/1.0.0", leftover: ByteBuffer())])
    }

    @Test func oversizeProposalFailsFromThePrefix() throws {
        var listener = MultistreamListener(supportedProtocols: ["/noise"])
        _ = listener.start()
        var wire = multistreamWire(MultistreamMessage.header)
        wire.writeBytes([0x81, 0x08])  // declares 1025 bytes
        #expect(listener.receive(wire) == [.failed(.messageTooLong(limit: 1024, declared: 1025))])
    }
}

/// The two machines talking to each other, reproducing the transcript of multistream-select.md §2.
@Suite struct MultistreamTranscriptTests {
    @Test func securityNegotiationTranscript() throws {
        var dialer = MultistreamDialer(protocols: ["/noise"])
        var listener = MultistreamListener(supportedProtocols: ["/noise"])
        let listenerHeader = listener.start().sentBytes
        let dialerFirst = dialer.start().sentBytes
        #expect(
            dialerFirst
                == (try ByteBuffer(
                    plainHexEncodedBytes: "13 2f6d756c746973747265616d2f312e302e30 0a 07 2f6e6f697365 0a")))

        let listenerActions = listener.receive(dialerFirst)
        let listenerReply = ByteBuffer.joining(listenerHeader, listenerActions.sentBytes)
        #expect(listenerReply == dialerFirst)
        #expect(listenerActions.outcomes == [.negotiated(protocol: "/noise", leftover: ByteBuffer())])

        #expect(dialer.receive(listenerReply) == [.negotiated(protocol: "/noise", leftover: ByteBuffer())])
    }

    @Test func muxerNegotiationWithFallback() {
        var dialer = MultistreamDialer(protocols: ["/mplex/6.7.0", "/yamux/1.0.0"])
        var listener = MultistreamListener(supportedProtocols: ["/yamux/1.0.0"])
        var toDialer = listener.start().sentBytes
        var toListener = dialer.start().sentBytes
        var dialerOutcome: [MultistreamAction] = []
        var listenerOutcome: [MultistreamAction] = []
        for _ in 0..<4 where dialerOutcome.isEmpty || listenerOutcome.isEmpty {
            if toListener.readableBytes > 0 && listenerOutcome.isEmpty {
                let actions = listener.receive(toListener)
                toListener = ByteBuffer()
                toDialer = ByteBuffer.joining(toDialer, actions.sentBytes)
                listenerOutcome += actions.outcomes
            }
            if toDialer.readableBytes > 0 && dialerOutcome.isEmpty {
                let actions = dialer.receive(toDialer)
                toDialer = ByteBuffer()
                toListener = ByteBuffer.joining(toListener, actions.sentBytes)
                dialerOutcome += actions.outcomes
            }
        }
        #expect(dialerOutcome == [.negotiated(protocol: "/yamux/1.0.0", leftover: ByteBuffer())])
        #expect(listenerOutcome == [.negotiated(protocol: "/yamux/1.0.0", leftover: ByteBuffer())])
    }
}
