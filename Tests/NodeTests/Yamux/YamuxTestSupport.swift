import NIOCore
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

/// A fixed origin for injected time.
let yamuxT0 = NIODeadline.uptimeNanoseconds(1_000_000_000)

func hexBytes(_ hex: String) -> ByteBuffer {
    let digits = hex.filter { !$0.isWhitespace }
    var buffer = ByteBuffer()
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        buffer.writeInteger(UInt8(digits[index..<next], radix: 16) ?? 0)
        index = next
    }
    return buffer
}

func hexString(_ buffer: ByteBuffer) -> String {
    buffer.readableBytesView.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}

/// Encodes one frame the way a peer would put it on the wire.
func yamuxFrame(
    _ type: YamuxFrameType, _ flags: YamuxFlags = [], stream: UInt32, length: UInt32? = nil,
    payload: [UInt8] = []
) -> ByteBuffer {
    var buffer = ByteBuffer()
    YamuxFrameHeader(
        type: type, flags: flags, streamID: YamuxStreamID(stream), length: length ?? UInt32(payload.count)
    ).write(to: &buffer)
    buffer.writeBytes(payload)
    return buffer
}

/// A decoded frame with its whole body.
struct DecodedFrame: Hashable {
    var header: YamuxFrameHeader
    var payload: [UInt8]

    var type: YamuxFrameType { header.type }
    var flags: YamuxFlags { header.flags }
    var stream: UInt32 { header.streamID.rawValue }
    var length: UInt32 { header.length }
}

/// Splits bytes into frames (test side; a decoder with no length limit).
func decodeFrames(_ buffer: ByteBuffer?) throws -> [DecodedFrame] {
    guard var buffer else { return [] }
    var decoder = YamuxFrameDecoder(maxDataLength: .max)
    var frames: [DecodedFrame] = []
    while let item = try decoder.next(from: &buffer) {
        switch item {
        case .header(let header):
            frames.append(DecodedFrame(header: header, payload: []))
        case .body(let piece, _):
            frames[frames.count - 1].payload += Array(piece.readableBytesView)
        }
    }
    #expect(decoder.isAtFrameBoundary, "outbound bytes end in the middle of a frame")
    return frames
}

extension YamuxSession {
    /// Feeds raw bytes.
    mutating func feed(_ bytes: ByteBuffer, now: NIODeadline = yamuxT0) -> [YamuxEvent] {
        var bytes = bytes
        let events = receive(&bytes, now: now)
        #expect(bytes.readableBytes == 0)
        return events
    }

    /// Drains and decodes the outbound buffer.
    mutating func sentFrames() throws -> [DecodedFrame] {
        try decodeFrames(takeOutbound())
    }
}

/// Merges consecutive `.data` events of the same stream so tests do not depend on how bodies were split.
func coalescedData(_ events: [YamuxEvent]) -> [YamuxEvent] {
    var result: [YamuxEvent] = []
    for event in events {
        if case .data(let id, let piece) = event, case .data(let lastID, var last)? = result.last, lastID == id {
            last.writeImmutableBuffer(piece)
            result[result.count - 1] = .data(id, last)
        } else {
            result.append(event)
        }
    }
    return result
}

func bytes(_ count: Int, seed: UInt8 = 0) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
}

func buffer(_ array: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: array) }
