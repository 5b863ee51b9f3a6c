import Identity
import Multiformats
import NIOCore
import Foundation
import SwiftProtobuf

/// Fuzz entry points for the application protocols' messages: identify (with its signed peer record),
/// signed envelopes and peer records, and the perf header.
package enum ProtocolsFuzzEntries {
    static let limits = IdentifyLimits(maxReceivedMessageSize: 2048, maxReceivedMessages: 4, maxProtocols: 8)
    static var connectionPeer: PeerID? { (try? PrivateKey(keyType: .ed25519, rawData: [UInt8](repeating: 0x5e, count: 32)))?.peerID }

    /// An identify stream: the merged message re-encodes to one frame that decodes to the same message, and
    /// what is read from it honours the limits and accounts for every address it skipped.
    package static func identify(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        let name = "identify"
        guard let peer = connectionPeer,
            let decoded = try? IdentifyMessageDecoder.decode(ByteBuffer(bytes: input), limits: limits)
        else { return }
        try fuzzCheck(decoded.messageCount <= limits.maxReceivedMessages, name, "\(decoded.messageCount) messages merged")
        if let bytes: [UInt8] = try? decoded.message.serializedBytes(), bytes.count <= limits.maxReceivedMessageSize {
            var framed = ByteBuffer()
            framed.writeUVarint(UInt64(bytes.count))
            framed.writeBytes(bytes)
            let again = try? IdentifyMessageDecoder.decode(framed, limits: limits)
            try fuzzCheck(again?.message == decoded.message, name, "the merged message does not survive re-encoding")
        }
        var diagnostics = IdentifyDiagnostics(framing: decoded.framing, messageCount: decoded.messageCount, byteCount: input.count)
        guard let update = try? IdentifyUpdate(message: decoded.message, from: peer, limits: limits, diagnostics: &diagnostics) else { return }
        try fuzzCheck((update.protocols?.count ?? 0) <= limits.maxProtocols, name, "\(update.protocols?.count ?? 0) protocols kept")
        try fuzzCheck((update.listenAddrs?.count ?? 0) + diagnostics.skippedListenAddrs == decoded.message.listenAddrs.count, name, "listen addresses unaccounted for")
        if let key = update.publicKey { try fuzzCheck(key.peerID == peer, name, "accepted another peer's key") }
        if case .valid(let record) = update.signedPeerRecord {
            try fuzzCheck(record.record.peerID == peer, name, "accepted a record signed for another peer")
        }
    }

    /// A signed envelope re-marshals to bytes that parse to the same envelope, and marshaling is stable.
    package static func signedEnvelope(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        let name = "signed-envelope"
        guard let envelope = try? SignedEnvelope(marshaled: input) else { return }
        let bytes = envelope.marshal()
        let again = try? SignedEnvelope(marshaled: bytes)
        try fuzzCheck(again == envelope, name, "re-marshaled envelope parses differently")
        try fuzzCheck(again?.marshal() == bytes, name, "marshaling is not stable")
        if let peer = connectionPeer, case .valid(let record) = PeerRecordStatus(envelope: input, from: peer) {
            try fuzzCheck(record.record.peerID == peer, name, "a record for another peer verified")
        }
    }

    /// A peer record re-marshals to bytes that parse to the same record.
    package static func peerRecord(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        let name = "peer-record"
        guard let record = try? PeerRecord(marshaled: input) else { return }
        let again = try? PeerRecord(marshaled: record.marshal())
        try fuzzCheck(again == record, name, "re-marshaled record parses differently")
    }

    /// The perf header reads back the size it was built from, and nothing shorter than 8 bytes reads.
    package static func perfHeader(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        let name = "perf-header"
        let size = PerfProtocol.downloadBytes(in: ByteBuffer(bytes: input))
        try fuzzCheck((size == nil) == (input.count < PerfProtocol.headerSize), name, "\(input.count) bytes read as \(String(describing: size))")
        if let size {
            try fuzzCheck(Array(PerfProtocol.header(downloadBytes: size).readableBytesView) == Array(input.prefix(8)), name, "header does not round-trip")
        }
    }

    /// Seed inputs: a real identify message with a signed peer record, the envelope and the record alone.
    package static func seeds() -> [String: [[UInt8]]] {
        guard let key = try? PrivateKey(keyType: .ed25519, rawData: [UInt8](repeating: 0x5e, count: 32)),
            let address = try? Multiaddr("/ip4/127.0.0.1/tcp/4001")
        else { return [:] }
        let record = PeerRecord(peerID: key.peerID, seq: 7, addresses: [address])
        var seeds: [String: [[UInt8]]] = ["peer-record": [record.marshal()], "perf-header": [[0, 0, 0, 0, 0, 1, 0, 0]]]
        if let signed = try? SignedPeerRecord.create(addresses: [address], signingKey: key, seq: 7) {
            let envelope = signed.envelopeBytes
            seeds["signed-envelope"] = [envelope]
            var message = Identify_Pb_Identify()
            message.publicKey = Data(key.publicKey.marshal())
            message.listenAddrs = [Data(address.bytes), Data([0xff, 0x01])]
            message.protocols = ["/ipfs/ping/1.0.0", "/ipfs/id/1.0.0"]
            message.agentVersion = "fuzz/1"
            message.signedPeerRecord = Data(envelope)
            if let bytes: [UInt8] = try? message.serializedBytes() {
                seeds["identify"] = [UVarint.encode(UInt64(bytes.count)) + bytes, bytes]
            }
        }
        return seeds
    }
}
