import NIOCore

/// The unsigned-varint length prefix of a multistream-select message (encodings.md §1: minimal LEB128,
/// at most 9 bytes).
///
/// Kept private to this layer until the shared `UVarint` from `Multiformats/` is available; only what
/// the multistream framing needs is here.
enum MultistreamLengthPrefix {
    /// Longest legal uvarint (63 value bits).
    static let maxByteCount = 9

    enum Peeked: Equatable {
        /// The prefix is not complete yet; nothing was consumed.
        case needMoreBytes
        case value(UInt64, byteCount: Int)
        /// The bytes can never form a legal uvarint.
        case invalid(reason: String)
    }

    /// Reads a uvarint at the reader index without consuming it.
    static func peek(in buffer: ByteBuffer) -> Peeked {
        var value: UInt64 = 0
        var index = 0
        while index < maxByteCount {
            guard let byte = buffer.getInteger(at: buffer.readerIndex + index, as: UInt8.self) else {
                return .needMoreBytes
            }
            value |= UInt64(byte & 0x7f) << (7 * UInt64(index))
            if byte & 0x80 == 0 {
                // A last byte of 0 in a multi-byte varint means a shorter encoding existed.
                if byte == 0 && index > 0 {
                    return .invalid(reason: "non-minimal uvarint encoding")
                }
                return .value(value, byteCount: index + 1)
            }
            index += 1
        }
        return .invalid(reason: "uvarint longer than \(maxByteCount) bytes")
    }

    static func write(_ value: UInt64, into buffer: inout ByteBuffer) {
        var remaining = value
        while remaining >= 0x80 {
            buffer.writeInteger(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        buffer.writeInteger(UInt8(remaining))
    }
}
