import NIOCore

/// Turns everything read from an identify stream into one merged `Identify` message.
///
/// Framing decision (protocols.md §2): the bytes are first read as up to
/// ``IdentifyLimits/maxReceivedMessages`` length-prefixed messages of at most
/// ``IdentifyLimits/maxReceivedMessageSize`` each, merged with protobuf semantics (later singular
/// fields win, repeated fields append). Only if that fails, the whole input is at most one message in
/// size, and it parses as a single bare `Identify` carrying a public key, it is taken as py-libp2p's
/// legacy unprefixed form; otherwise the framed error is reported. Nobody sends the legacy form by
/// default, so the fallback never overrides a well-framed stream.
enum IdentifyMessageDecoder {
    struct Output {
        var message: Identify_Pb_Identify
        var framing: IdentifyFraming
        var messageCount: Int
    }

    static func decode(_ bytes: ByteBuffer, limits: IdentifyLimits) throws(IdentifyError) -> Output {
        do {
            return try decodeLengthPrefixed(bytes, limits: limits)
        } catch {
            if let legacy = legacyMessage(bytes, limits: limits) {
                return Output(message: legacy, framing: .legacyUnprefixed, messageCount: 1)
            }
            throw error
        }
    }

    private static func decodeLengthPrefixed(
        _ bytes: ByteBuffer,
        limits: IdentifyLimits
    ) throws(IdentifyError) -> Output {
        var input = bytes
        var merged = Identify_Pb_Identify()
        var count = 0
        while input.readableBytes > 0 {
            guard count < limits.maxReceivedMessages else { throw .tooManyMessages(limit: limits.maxReceivedMessages) }
            let frame: ByteBuffer?
            do {
                frame = try input.readUVarintLengthPrefixedSlice(maxLength: limits.maxReceivedMessageSize)
            } catch {
                switch error {
                case .invalidLength(let varintError):
                    throw .invalidLengthPrefix(messageIndex: count, varintError)
                case .lengthExceedsLimit(let length, let limit):
                    throw .messageTooLarge(messageIndex: count, length: length, limit: limit)
                }
            }
            guard let frame else { throw .truncatedMessage(messageIndex: count, receivedBytes: input.readableBytes) }
            do {
                try merged.merge(serializedBytes: Array(buffer: frame))
            } catch {
                throw .malformedMessage(messageIndex: count, reason: "\(error)")
            }
            count += 1
        }
        guard count > 0 else { throw .noMessage }
        return Output(message: merged, framing: .lengthPrefixed, messageCount: count)
    }

    private static func legacyMessage(_ bytes: ByteBuffer, limits: IdentifyLimits) -> Identify_Pb_Identify? {
        guard bytes.readableBytes > 0, bytes.readableBytes <= limits.maxReceivedMessageSize else { return nil }
        guard let message = try? Identify_Pb_Identify(serializedBytes: Array(buffer: bytes)),
            message.hasPublicKey
        else { return nil }
        return message
    }
}
