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

/// Signed peer records (protocols.md §2) against the spec's derived example and every rejection path.
@Suite struct PeerRecordTests {
    @Test func specExampleIsReproducedByteForByte() throws {
        let record = try ProtocolVectors.specRecord()
        #expect(IdentityHex.string(record.record.marshal()) == IdentityHex.string(ProtocolVectors.peerRecord))
        let signed = SignedEnvelope.signedBytes(
            domain: SignedPeerRecord.domain,
            payloadType: SignedPeerRecord.payloadType,
            payload: ProtocolVectors.peerRecord
        )
        #expect(IdentityHex.string(signed) == IdentityHex.string(ProtocolVectors.signedBytes))
        #expect(IdentityHex.string(record.envelopeBytes) == IdentityHex.string(ProtocolVectors.envelope))
    }

    @Test func specExampleVerifies() throws {
        let key = try ProtocolVectors.specKey()
        let opened = try SignedPeerRecord(envelope: ProtocolVectors.envelope, from: key.peerID)
        #expect(opened.record.peerID == key.peerID)
        #expect(opened.record.seq == 1)
        #expect(opened.record.addresses == [try Multiaddr("/ip4/127.0.0.1/tcp/4001")])
        #expect(opened.publicKey == key.publicKey)
        #expect(opened.envelopeBytes == ProtocolVectors.envelope)
    }

    @Test(arguments: [KeyType.ed25519, .secp256k1, .ecdsa])
    func generatedRecordsRoundTrip(_ keyType: KeyType) throws {
        let key = try PrivateKey.generate(keyType)
        let addresses = [try Multiaddr("/ip4/10.0.0.1/tcp/1"), try Multiaddr("/ip6/::1/tcp/2/p2p/\(key.peerID)")]
        let created = try SignedPeerRecord.create(addresses: addresses, signingKey: key)
        let opened = try SignedPeerRecord(envelope: created.envelopeBytes, from: key.peerID)
        #expect(opened == created)
    }

    @Test func everyChangedByteBreaksTheSignatureOrTheEncoding() throws {
        let envelope = ProtocolVectors.envelope
        let peer = try ProtocolVectors.specKey().peerID
        for index in envelope.indices {
            var tampered = envelope
            tampered[index] ^= 0x01
            #expect(throws: PeerRecordError.self, "byte \(index)") {
                try SignedPeerRecord(envelope: tampered, from: peer)
            }
        }
    }

    @Test func tamperedSignatureIsReportedAsSuch() throws {
        var envelope = ProtocolVectors.envelope
        envelope[envelope.count - 1] ^= 0x80
        #expect(throws: PeerRecordError.invalidSignature) {
            try SignedPeerRecord(envelope: envelope)
        }
    }

    @Test func recordFromAnotherPeerIsRefused() throws {
        let other = try PrivateKey.generate(.ed25519)
        #expect(throws: PeerRecordError.signerIsNotConnectionPeer(
            expected: other.peerID,
            signer: try ProtocolVectors.specKey().peerID
        )) {
            try SignedPeerRecord(envelope: ProtocolVectors.envelope, from: other.peerID)
        }
    }

    @Test func recordNamingAnotherPeerThanItsSignerIsRefused() throws {
        let signer = try ProtocolVectors.specKey()
        let claimed = try PrivateKey.generate(.ed25519).peerID
        let record = PeerRecord(peerID: claimed, seq: 5, addresses: [])
        let envelope = try SignedEnvelope.seal(
            payload: record.marshal(),
            payloadType: SignedPeerRecord.payloadType,
            domain: SignedPeerRecord.domain,
            key: signer
        )
        #expect(throws: PeerRecordError.recordPeerMismatch(signer: signer.peerID, record: claimed)) {
            try SignedPeerRecord(envelope: envelope.marshal())
        }
    }

    @Test func rustStyleRecordIsNotAPeerRecordHere() throws {
        let key = try ProtocolVectors.specKey()
        let rustType = Array("/libp2p/routing-state-record".utf8)
        let envelope = try SignedEnvelope.seal(
            payload: ProtocolVectors.peerRecord,
            payloadType: rustType,
            domain: "libp2p-routing-state",
            key: key
        )
        #expect(throws: PeerRecordError.unexpectedPayloadType(rustType)) {
            try SignedPeerRecord(envelope: envelope.marshal())
        }
        #expect(PeerRecordError.unexpectedPayloadType([0x81, 0x06]).description.contains("[81 06]"))
        #expect(PeerRecordError.unexpectedPayloadType([0x03, 0x02]).description.contains("[03 02]"))
    }

    @Test func signatureUnderAnotherDomainDoesNotVerify() throws {
        let envelope = try SignedEnvelope.seal(
            payload: ProtocolVectors.peerRecord,
            payloadType: SignedPeerRecord.payloadType,
            domain: "libp2p-routing-state",
            key: try ProtocolVectors.specKey()
        )
        #expect(throws: PeerRecordError.invalidSignature) {
            try SignedPeerRecord(envelope: envelope.marshal())
        }
    }

    @Test func malformedEnvelopesAndPayloadsAreNamed() throws {
        #expect(throws: PeerRecordError.malformedEnvelope(reason: "no public key")) {
            try SignedPeerRecord(envelope: [0x12, 0x02, 0x03, 0x01])
        }
        #expect {
            try SignedPeerRecord(envelope: [0x0a, 0x05, 0x01])
        } throws: { error in
            guard case PeerRecordError.malformedEnvelope = error else { return false }
            return true
        }
        let key = try ProtocolVectors.specKey()
        let garbage = try SignedEnvelope.seal(
            payload: [0x0a, 0x03, 0x00],
            payloadType: SignedPeerRecord.payloadType,
            domain: SignedPeerRecord.domain,
            key: key
        )
        #expect {
            try SignedPeerRecord(envelope: garbage.marshal())
        } throws: { error in
            guard case PeerRecordError.malformedRecord = error else { return false }
            return true
        }
        var badAddress = Record_Pb_PeerRecord()
        badAddress.peerID = .init(key.peerID.bytes)
        var unparsable = Record_Pb_PeerRecord.AddressInfo()
        unparsable.multiaddr = .init([0xff, 0xff])
        badAddress.addresses = [unparsable]
        let badAddressEnvelope = try SignedEnvelope.seal(
            payload: ProtobufEncoding.bytes(of: badAddress),
            payloadType: SignedPeerRecord.payloadType,
            domain: SignedPeerRecord.domain,
            key: key
        )
        #expect {
            try SignedPeerRecord(envelope: badAddressEnvelope.marshal())
        } throws: { error in
            guard case PeerRecordError.invalidRecordAddress(index: 0, _) = error else { return false }
            return true
        }
    }

    @Test func sequenceNumbersStrictlyIncrease() {
        let sequence = PeerRecordSequence()
        #expect(sequence.next(unixNanoseconds: 100) == 100)
        #expect(sequence.next(unixNanoseconds: 100) == 101)
        #expect(sequence.next(unixNanoseconds: 50) == 102)
        #expect(sequence.next(unixNanoseconds: 1_000) == 1_000)
        let now = PeerRecordSequence.unixNanosecondsNow()
        let wallClock = PeerRecordSequence().next()
        #expect(wallClock >= now)
        #expect(wallClock < now + 60 * 1_000_000_000)
    }
}
