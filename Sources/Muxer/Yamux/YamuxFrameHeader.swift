import NIOCore

/// A yamux stream identifier (yamux spec §2). `0` names the session itself; the dialer ("client") uses odd
/// IDs, the listener ("server") even ones.
public struct YamuxStreamID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    /// The session pseudo-stream carried by Ping and Go Away frames.
    public static let session = YamuxStreamID(0)

    public static func < (lhs: YamuxStreamID, rhs: YamuxStreamID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// The frame type byte (yamux spec §1).
enum YamuxFrameType: UInt8, Sendable, CustomStringConvertible {
    case data = 0
    case windowUpdate = 1
    case ping = 2
    case goAway = 3

    var description: String {
        switch self {
        case .data: "Data"
        case .windowUpdate: "WindowUpdate"
        case .ping: "Ping"
        case .goAway: "GoAway"
        }
    }
}

/// The flags bit set (yamux spec §1). Unknown bits are kept but carry no meaning, as in go-yamux.
struct YamuxFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
    let rawValue: UInt16

    static let syn = YamuxFlags(rawValue: 0x1)
    static let ack = YamuxFlags(rawValue: 0x2)
    static let fin = YamuxFlags(rawValue: 0x4)
    static let rst = YamuxFlags(rawValue: 0x8)

    var description: String {
        let names = [(Self.syn, "SYN"), (.ack, "ACK"), (.fin, "FIN"), (.rst, "RST")]
            .filter { contains($0.0) }
            .map(\.1)
        return names.isEmpty ? "-" : names.joined(separator: "|")
    }
}

/// The fixed 12-byte yamux frame header, all fields big-endian (yamux spec §1).
///
/// `length` means the payload size for Data, the credit delta for Window Update (an opaque error code when
/// RST is set, §5), the opaque value for Ping and the error code for Go Away.
struct YamuxFrameHeader: Hashable, Sendable, CustomStringConvertible {
    static let size = 12
    static let protocolVersion: UInt8 = 0

    var type: YamuxFrameType
    var flags: YamuxFlags
    var streamID: YamuxStreamID
    var length: UInt32

    init(type: YamuxFrameType, flags: YamuxFlags = [], streamID: YamuxStreamID, length: UInt32) {
        self.type = type
        self.flags = flags
        self.streamID = streamID
        self.length = length
    }

    var description: String { "\(type)[\(flags)] stream \(streamID) length \(length)" }

    /// Number of body bytes that follow the header on the wire: only Data frames have one.
    var bodyLength: UInt32 { type == .data ? length : 0 }

    func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(Self.protocolVersion)
        buffer.writeInteger(type.rawValue)
        buffer.writeInteger(flags.rawValue)
        buffer.writeInteger(streamID.rawValue)
        buffer.writeInteger(length)
    }

    /// Reads one header if 12 bytes are readable; leaves `buffer` untouched otherwise.
    static func read(from buffer: inout ByteBuffer) throws(YamuxError) -> YamuxFrameHeader? {
        guard buffer.readableBytes >= size,
            let version = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
            let typeByte = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self),
            let flags = buffer.getInteger(at: buffer.readerIndex + 2, as: UInt16.self),
            let streamID = buffer.getInteger(at: buffer.readerIndex + 4, as: UInt32.self),
            let length = buffer.getInteger(at: buffer.readerIndex + 8, as: UInt32.self)
        else { return nil }
        guard version == protocolVersion else { throw .unsupportedVersion(version) }
        guard let type = YamuxFrameType(rawValue: typeByte) else { throw .unknownFrameType(typeByte) }
        buffer.moveReaderIndex(forwardBy: size)
        return YamuxFrameHeader(
            type: type, flags: YamuxFlags(rawValue: flags), streamID: YamuxStreamID(streamID), length: length)
    }
}
