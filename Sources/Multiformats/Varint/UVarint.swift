/// Multiformats unsigned varint: unsigned LEB128, least-significant 7-bit group first,
/// bit 7 set on every byte but the last (encodings.md §1).
///
/// The multiformats rules are stricter than plain LEB128: the encoding must be minimal and at
/// most 9 bytes long, so the largest value is 2^63 − 1.
public enum UVarint {
    /// Longest allowed encoding.
    public static let maxByteCount = 9
    /// Largest value that fits in ``maxByteCount`` bytes (63 bits).
    public static let maxValue: UInt64 = (1 << 63) - 1

    /// Outcome of decoding from the start of a byte sequence that may not be complete yet.
    public enum DecodeResult: Equatable, Sendable {
        /// A complete varint: its value and how many bytes it occupied.
        case value(UInt64, byteCount: Int)
        /// The bytes seen so far are a valid prefix; feed more and decode again.
        case needMoreBytes
    }

    /// Number of bytes `value` takes when encoded.
    public static func encodedByteCount(of value: UInt64) -> Int {
        precondition(value <= maxValue, "uvarint values are limited to 63 bits")
        // 7 value bits per byte; 0 still takes one byte.
        let significantBits = max(1, 64 - value.leadingZeroBitCount)
        return (significantBits + 6) / 7
    }

    /// Encodes `value` (at most ``maxValue``; larger values are a programming error).
    public static func encode(_ value: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encodedByteCount(of: value))
        encode(value, into: &bytes)
        return bytes
    }

    /// Appends the encoding of `value` to `bytes`.
    public static func encode(_ value: UInt64, into bytes: inout [UInt8]) {
        precondition(value <= maxValue, "uvarint values are limited to 63 bits")
        var remaining = value
        while remaining >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(remaining))
    }

    /// Decodes a varint from the start of `bytes`; bytes after it are ignored.
    ///
    /// Returns ``DecodeResult/needMoreBytes`` while `bytes` is a valid but unfinished prefix, so a
    /// caller reading from a stream can retry once more bytes have arrived.
    public static func decode<Bytes: Collection>(
        _ bytes: Bytes
    ) throws(UVarintError) -> DecodeResult where Bytes.Element == UInt8 {
        switch scan(bytes) {
        case .value(let value, let count): return .value(value, byteCount: count)
        case .needMoreBytes: return .needMoreBytes
        case .failure(let error): throw error
        }
    }

    /// Non-throwing core shared by the collection and `ByteBuffer` entry points.
    enum ScanResult {
        case value(UInt64, Int)
        case needMoreBytes
        case failure(UVarintError)
    }

    @inline(__always)
    static func scan<Bytes: Sequence>(_ bytes: Bytes) -> ScanResult where Bytes.Element == UInt8 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var count = 0
        for byte in bytes {
            count += 1
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 {
                // A zero final group after other groups means a shorter encoding existed.
                if byte == 0 && count > 1 { return .failure(.nonMinimal(byteCount: count)) }
                return .value(value, count)
            }
            if count == maxByteCount { return .failure(.tooLong) }
            shift += 7
        }
        return .needMoreBytes
    }
}
