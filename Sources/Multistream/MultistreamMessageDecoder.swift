import NIOCore

/// Incremental reader of framed multistream-select messages (multistream-select.md §1).
///
/// The length prefix is checked against the limit before the body is awaited, so a peer announcing a
/// huge message is rejected after at most a few bytes and nothing is allocated for it.
struct MultistreamMessageDecoder: Sendable {
    /// Largest accepted message length, newline included.
    let maxLength: Int

    init(maxLength: Int = MultistreamMessage.defaultMaxLength) {
        precondition(maxLength >= 1, "a multistream message needs at least its newline")
        self.maxLength = maxLength
    }

    /// Consumes one complete message from the front of `buffer` and returns its text without the
    /// newline, or returns nil and consumes nothing when the message is not complete yet.
    func decode(_ buffer: inout ByteBuffer) throws(MultistreamError) -> String? {
        let body: ByteBuffer
        do {
            guard let complete = try buffer.readUVarintLengthPrefixedSlice(maxLength: maxLength) else {
                return nil
            }
            body = complete
        } catch {
            switch error {
            case .invalidLength(let reason):
                throw .invalidLengthPrefix(reason)
            case .lengthExceedsLimit(let length, let limit):
                throw .messageTooLong(limit: limit, declared: length)
            }
        }
        guard body.readableBytes > 0,
            body.getInteger(at: body.readerIndex + body.readableBytes - 1, as: UInt8.self) == UInt8(ascii: "\n")
        else {
            throw .missingNewline
        }
        guard let text = String(validating: body.readableBytesView.dropLast(), as: UTF8.self) else {
            throw .invalidUTF8
        }
        return text
    }
}
