import Foundation
import NIOCore
import Multiformats

/// Turns ``IdentifyInfo`` into the bytes written on an identify stream, the way go-libp2p does:
/// at most ``IdentifyLimits/maxSentMessageSize`` per message (trimming listen addresses from the end),
/// and a signed record in a second message when one message would exceed
/// ``IdentifyLimits/signedRecordSplitThreshold``.
enum IdentifyMessageEncoder {
    struct Output: Sendable {
        /// Every message, each with its uvarint length prefix, concatenated.
        var wireBytes: ByteBuffer
        var report: IdentifySendReport
    }

    static func encode(_ info: IdentifyInfo, limits: IdentifyLimits) throws(IdentifyError) -> Output {
        var base = Identify_Pb_Identify()
        base.publicKey = Data(info.publicKey.marshal())
        base.listenAddrs = info.listenAddrs.map { Data($0.bytes) }
        base.protocols = info.protocols
        if let observedAddr = info.observedAddr { base.observedAddr = Data(observedAddr.bytes) }
        if let protocolVersion = info.protocolVersion { base.protocolVersion = protocolVersion }
        if let agentVersion = info.agentVersion { base.agentVersion = agentVersion }

        var size = ProtobufEncoding.bytes(of: base).count
        var dropped = 0
        while size > limits.maxSentMessageSize, let last = base.listenAddrs.popLast() {
            size -= lengthDelimitedFieldSize(last.count)
            dropped += 1
        }
        guard size <= limits.maxSentMessageSize else {
            throw .ownMessageTooLarge(size: size, limit: limits.maxSentMessageSize)
        }

        var messages = [base]
        if let record = info.signedPeerRecord.record {
            let recordFieldSize = lengthDelimitedFieldSize(record.envelopeBytes.count)
            if size + recordFieldSize <= limits.signedRecordSplitThreshold {
                messages[0].signedPeerRecord = Data(record.envelopeBytes)
            } else {
                guard recordFieldSize <= limits.maxSentMessageSize else {
                    throw .ownRecordTooLarge(size: recordFieldSize, limit: limits.maxSentMessageSize)
                }
                var recordOnly = Identify_Pb_Identify()
                recordOnly.signedPeerRecord = Data(record.envelopeBytes)
                messages.append(recordOnly)
            }
        }

        var wire = ByteBuffer()
        for message in messages {
            wire.writeUVarintLengthPrefixed(ProtobufEncoding.bytes(of: message))
        }
        let report = IdentifySendReport(
            messageCount: messages.count,
            byteCount: wire.readableBytes,
            droppedListenAddrs: dropped
        )
        return Output(wireBytes: wire, report: report)
    }

    /// Encoded size of a bytes field numbered 1–15 (one tag byte) holding `length` bytes.
    private static func lengthDelimitedFieldSize(_ length: Int) -> Int {
        1 + UVarint.encodedByteCount(of: UInt64(length)) + length
    }
}
