import NIOCore
import Testing

@testable import Core
@testable import Mplex

/// A fixed origin for injected time.
let mplexT0 = NIODeadline.uptimeNanoseconds(1_000_000_000)

/// One frame the way a peer puts it on the wire.
func mplexFrame(_ flag: MplexFlag, stream number: UInt64, payload: [UInt8] = []) -> ByteBuffer {
    var buffer = ByteBuffer()
    MplexFrameHeader(streamNumber: number, flag: flag, length: payload.count).write(to: &buffer)
    buffer.writeBytes(payload)
    return buffer
}

/// A decoded frame with all of its data.
struct MplexWireFrame: Hashable, CustomStringConvertible {
    var flag: MplexFlag
    var number: UInt64
    var payload: [UInt8] = []

    var description: String { "\(flag)(\(number), \(payload.count) bytes)" }
}

/// Splits bytes into whole frames (test side).
func decodeMplexFrames(_ buffer: ByteBuffer?) throws -> [MplexWireFrame] {
    guard var buffer else { return [] }
    var decoder = MplexFrameDecoder()
    var frames: [MplexWireFrame] = []
    while let item = try decoder.next(from: &buffer) {
        switch item {
        case .header(let header):
            frames.append(MplexWireFrame(flag: header.flag, number: header.streamNumber))
        case .data(let piece, _):
            frames[frames.count - 1].payload += Array(piece.readableBytesView)
        }
    }
    #expect(decoder.isAtFrameBoundary, "bytes end in the middle of a frame")
    return frames
}

extension MplexSession {
    /// Feeds raw bytes; all of them must be consumed.
    mutating func feed(_ bytes: ByteBuffer, now: NIODeadline = mplexT0) -> [MplexEvent] {
        var bytes = bytes
        let events = receive(&bytes, now: now)
        #expect(bytes.readableBytes == 0)
        return events
    }

    /// The bytes written since the last call, in hex ("" for none).
    mutating func takeHex() -> String {
        takeOutbound().map(hexString) ?? ""
    }

    /// The frames written since the last call.
    mutating func takeFrames() throws -> [MplexWireFrame] {
        try decodeMplexFrames(takeOutbound())
    }
}

let ours0 = MplexStreamID(number: 0, origin: .local)
let theirs0 = MplexStreamID(number: 0, origin: .remote)
