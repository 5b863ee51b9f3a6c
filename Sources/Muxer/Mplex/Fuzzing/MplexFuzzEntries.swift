import Multiformats
import NIOCore

/// Fuzz entry points for the mplex frame decoder and session.
package enum MplexFuzzEntries {
    /// Limits small enough that a fuzz input can reach every one of them.
    static var smallConfiguration: MplexConfiguration {
        var configuration = MplexConfiguration()
        configuration.maxStreamReceiveBuffer = 4096
        configuration.maxConnectionReceiveBuffer = 12 * 1024
        configuration.maxInboundStreams = 8
        configuration.maxStreamNameBytes = 16
        return configuration
    }

    /// Headers re-encode to the bytes they were read from (uvarints are minimal), data follows them, and
    /// nothing is lost or invented across read boundaries.
    package static func frames(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        let name = "mplex-frames"
        var decoder = MplexFrameDecoder(maxFrameLength: 64 * 1024)
        try fuzzCheckReassembly(input, target: name, maxHeldBytes: MplexFrameHeader.maxEncodedSize - 1) { buffer throws(FuzzPropertyViolation) in
            let item: MplexFrameDecoder.Item?
            do { item = try decoder.next(from: &buffer) } catch { return .refused }
            switch item {
            case .header(let header)?:
                try fuzzCheck(header.length <= decoder.maxFrameLength, name, "a \(header.length)-byte frame passed the limit")
                var encoded = ByteBuffer()
                header.write(to: &encoded)
                return .item(Array(encoded.readableBytesView))
            case .data(let piece, _)?:
                return .item(Array(piece.readableBytesView))
            case nil:
                return .needMoreBytes
            }
        }
    }

    /// A session fed the peer's bytes: unread data stays under the per-stream and connection limits, the
    /// stream limit holds, replies are bounded by what arrived, and a closed session ignores everything.
    package static func session(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        let name = "mplex-session"
        let reads = (input.first ?? 0) & 0x40 != 0
        let configuration = smallConfiguration
        var now = NIODeadline.uptimeNanoseconds(1_000_000_000)
        var session = MplexSession(configuration: configuration)
        var sent = 0
        var framesIn = 0
        for chunk in FuzzChunks(input) {
            now = now + .milliseconds(7)
            var buffer = ByteBuffer(bytes: chunk)
            let wasClosed = session.isClosed
            let events = session.receive(&buffer, now: now)
            try fuzzCheck(buffer.readableBytes == 0, name, "receive left \(buffer.readableBytes) bytes unread")
            try fuzzCheck(!wasClosed || events.isEmpty, name, "events after the session closed")
            for case .data(let id, let data) in events where reads {
                session.consumed(id, bytes: data.readableBytes)
            }
            framesIn = Int(session.counters.framesIn)
            var sum = 0
            for (id, stream) in session.streams {
                try fuzzCheck(stream.buffered <= configuration.maxStreamReceiveBuffer, name, "stream \(id) holds \(stream.buffered) unread bytes")
                try fuzzCheck(stream.name.utf8.count <= configuration.maxStreamNameBytes, name, "stream \(id) kept a \(stream.name.utf8.count)-byte name")
                sum += stream.buffered
            }
            try fuzzCheck(sum == session.totalBuffered, name, "streams hold \(sum) bytes, counter says \(session.totalBuffered)")
            try fuzzCheck(session.totalBuffered <= configuration.maxConnectionReceiveBuffer, name, "connection holds \(session.totalBuffered) unread bytes")
            try fuzzCheck(session.inboundStreamCount <= configuration.maxInboundStreams, name, "\(session.inboundStreamCount) inbound streams")
            try fuzzCheck(!session.isClosed || session.streams.isEmpty, name, "a closed session holds streams")
            while let out = session.takeOutbound() { sent += out.readableBytes }
            // A reset or close per received frame at most; a header is at most 18 bytes.
            try fuzzCheck(sent <= MplexFrameHeader.maxEncodedSize * (framesIn + 1), name, "sent \(sent) bytes for \(framesIn) frames received")
        }
    }

    /// Seed inputs: a stream's life (NewStream with a name, messages, Close, Reset).
    package static func seeds() -> [String: [[UInt8]]] {
        func frame(_ number: UInt64, _ flag: MplexFlag, _ body: [UInt8]) -> [UInt8] {
            var buffer = ByteBuffer()
            MplexFrameHeader(streamNumber: number, flag: flag, length: body.count).write(to: &buffer)
            return Array(buffer.readableBytesView) + body
        }
        let life = frame(3, .newStream, Array("3".utf8)) + frame(3, .messageInitiator, Array("hello".utf8))
            + frame(3, .closeInitiator, []) + frame(4, .newStream, []) + frame(4, .resetInitiator, [])
            + frame(0, .messageReceiver, [1, 2, 3])
        return ["mplex-frames": [[0x80] + life, [0x0b] + life], "mplex-session": [[0xc0] + life, [0x13] + life + life]]
    }
}
