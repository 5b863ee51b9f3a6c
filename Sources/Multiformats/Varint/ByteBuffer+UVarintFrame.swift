import NIOCore

/// Why a uvarint-length-prefixed frame was refused.
public enum UVarintFrameError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidLength(UVarintError)
    /// The announced length is over the caller's limit; detected before the body arrives.
    case lengthExceedsLimit(length: UInt64, limit: Int)

    public var description: String {
        switch self {
        case .invalidLength(let error):
            return "invalid frame length prefix: \(error)"
        case .lengthExceedsLimit(let length, let limit):
            return "frame length \(length) exceeds the limit of \(limit) bytes"
        }
    }
}

/// `<uvarint length><bytes>` frames (multistream-select messages, delimited protobufs).
extension ByteBuffer {
    /// Reads one frame body, or returns `nil` (consuming nothing) until it is complete.
    ///
    /// The length is checked against `maxLength` as soon as the prefix is complete, so a peer
    /// cannot make us wait for (or buffer) an oversized body.
    public mutating func readUVarintLengthPrefixedSlice(maxLength: Int) throws(UVarintFrameError) -> ByteBuffer? {
        let prefix: (value: UInt64, byteCount: Int)?
        do {
            prefix = try self.peekUVarint()
        } catch {
            throw .invalidLength(error)
        }
        guard let (length, prefixLength) = prefix else { return nil }
        guard length <= UInt64(max(0, maxLength)) else {
            throw .lengthExceedsLimit(length: length, limit: maxLength)
        }
        guard let body = self.getSlice(at: self.readerIndex + prefixLength, length: Int(length)) else {
            return nil
        }
        self.moveReaderIndex(forwardBy: prefixLength + Int(length))
        return body
    }

    /// Writes `bytes` preceded by their uvarint length; returns the number of bytes written.
    @discardableResult
    public mutating func writeUVarintLengthPrefixed(_ bytes: some Collection<UInt8>) -> Int {
        let prefixLength = self.writeUVarint(UInt64(bytes.count))
        return prefixLength + self.writeBytes(bytes)
    }

    /// Writes the readable bytes of `buffer` preceded by their uvarint length.
    @discardableResult
    public mutating func writeUVarintLengthPrefixed(buffer: ByteBuffer) -> Int {
        let prefixLength = self.writeUVarint(UInt64(buffer.readableBytes))
        var copy = buffer
        return prefixLength + self.writeBuffer(&copy)
    }
}
