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
        let declared: UInt64
        let prefixLength: Int
        switch MultistreamLengthPrefix.peek(in: buffer) {
        case .needMoreBytes:
            return nil
        case .invalid(let reason):
            throw .invalidLengthPrefix(reason: reason)
        case .value(let value, let byteCount):
            declared = value
            prefixLength = byteCount
        }
        guard declared <= UInt64(maxLength) else {
            throw .messageTooLong(limit: maxLength, declared: declared)
        }
        let length = Int(declared)
        guard length > 0 else {
            throw .missingNewline
        }
        guard buffer.readableBytes >= prefixLength + length else {
            return nil
        }
        let bodyStart = buffer.readerIndex + prefixLength
        guard buffer.getInteger(at: bodyStart + length - 1, as: UInt8.self) == UInt8(ascii: "\n"),
            let textBytes = buffer.getSlice(at: bodyStart, length: length - 1)
        else {
            throw .missingNewline
        }
        guard let text = String(validating: textBytes.readableBytesView, as: UTF8.self) else {
            throw .invalidUTF8
        }
        buffer.moveReaderIndex(forwardBy: prefixLength + length)
        return text
    }
}
