import Multiformats
import NIOCore

/// Fuzz entry points for the yamux frame decoder and session.
package enum YamuxFuzzEntries {
    /// Limits small enough that a fuzz input can reach every one of them.
    static var smallConfiguration: YamuxConfiguration {
        var configuration = YamuxConfiguration()
        configuration.maxStreamWindow = 1024 * 1024
        configuration.maxTotalReceiveWindow = 4 * 1024 * 1024
        configuration.maxInboundStreams = 8
        configuration.maxUnacknowledgedInboundStreams = 4
        configuration.keepAliveInterval = nil
        return configuration
    }

    /// Headers re-encode to the bytes they were read from, bodies are the bytes after them, and nothing is
    /// lost or invented across read boundaries.
    package static func frames(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        var decoder = YamuxFrameDecoder(maxDataLength: 64 * 1024)
        try fuzzCheckReassembly(input, target: "yamux-frames", maxHeldBytes: YamuxFrameHeader.size - 1) { buffer in
            let item: YamuxFrameDecoder.Item?
            do { item = try decoder.next(from: &buffer) } catch { return .refused }
            switch item {
            case .header(let header)?:
                var encoded = ByteBuffer()
                header.write(to: &encoded)
                return .item(Array(encoded.readableBytesView))
            case .body(let piece, _)?:
                return .item(Array(piece.readableBytesView))
            case nil:
                return .needMoreBytes
            }
        }
    }

    /// A server session fed the peer's bytes: every stream stays inside its windows, the stream limits hold,
    /// what it sends back is bounded by what it received, and after closing it ignores everything.
    package static func session(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        let name = "yamux-session"
        let flags = input.first ?? 0
        let accepts = flags & 0x20 != 0
        let reads = flags & 0x40 != 0
        let configuration = smallConfiguration
        var now = NIODeadline.uptimeNanoseconds(1_000_000_000)
        var session = YamuxSession(role: .server, configuration: configuration, now: now)
        var sent = 0
        for chunk in FuzzChunks(input) {
            now = now + .milliseconds(7)
            var buffer = ByteBuffer(bytes: chunk)
            let wasClosed = session.isClosed
            let events = session.receive(&buffer, now: now)
            try fuzzCheck(buffer.readableBytes == 0, name, "receive left \(buffer.readableBytes) bytes unread")
            try fuzzCheck(!wasClosed || events.isEmpty, name, "events after the session closed")
            for event in events {
                switch event {
                case .streamOpenedByRemote(let id) where accepts:
                    session.acceptStream(id, now: now)
                case .data(let id, let data) where reads:
                    session.consumed(id, bytes: data.readableBytes, now: now)
                default:
                    break
                }
            }
            try checkInvariants(session, name)
            while let out = session.takeOutbound() { sent += out.readableBytes }
            // At most a reply frame (ping ACK, window update, RST, Go Away) per received frame.
            let bound = 2 * YamuxFrameHeader.size * (Int(session.counters.framesIn) + 1)
            try fuzzCheck(sent <= bound, name, "sent \(sent) bytes for \(session.counters.framesIn) frames received")
        }
    }

    static func checkInvariants(_ session: YamuxSession, _ name: String) throws(FuzzPropertyViolation) {
        let configuration = session.configuration
        var targets: UInt64 = 0
        for (id, stream) in session.streams {
            let window = stream.receive
            try fuzzCheck(UInt64(window.buffered) + UInt64(window.credit) <= UInt64(window.target), name, "stream \(id): buffered \(window.buffered) + credit \(window.credit) > target \(window.target)")
            try fuzzCheck(window.target <= configuration.maxStreamWindow, name, "stream \(id): target \(window.target) above the maximum")
            try fuzzCheck(id.rawValue % 2 == 1, name, "stream \(id) has the client's parity on a session we never opened streams on")
            targets += UInt64(window.target)
        }
        try fuzzCheck(session.inboundStreamCount <= configuration.maxInboundStreams, name, "\(session.inboundStreamCount) inbound streams")
        try fuzzCheck(session.unacknowledgedInbound <= configuration.maxUnacknowledgedInboundStreams, name, "\(session.unacknowledgedInbound) unacknowledged streams")
        try fuzzCheck(session.streams.count == session.inboundStreamCount + session.outboundStreamCount, name, "stream counters disagree with the table")
        try fuzzCheck(session.isClosed || targets == session.totalReceiveTarget, name, "window targets sum to \(targets), counter says \(session.totalReceiveTarget)")
        try fuzzCheck(!session.isClosed || session.streams.isEmpty, name, "a closed session holds streams")
    }

    /// Seed inputs: a ping, a stream's life (SYN, data, FIN), and a Go Away.
    package static func seeds() -> [String: [[UInt8]]] {
        func frame(_ type: YamuxFrameType, _ flags: YamuxFlags, _ id: UInt32, _ length: UInt32, body: [UInt8] = []) -> [UInt8] {
            var buffer = ByteBuffer()
            YamuxFrameHeader(type: type, flags: flags, streamID: YamuxStreamID(id), length: length).write(to: &buffer)
            return Array(buffer.readableBytesView) + body
        }
        let life = frame(.windowUpdate, .syn, 1, 0) + frame(.data, [], 1, 5, body: Array("hello".utf8))
            + frame(.windowUpdate, [], 1, 4096) + frame(.data, .fin, 1, 0) + frame(.data, .rst, 3, 0)
        let ping = frame(.ping, .syn, 0, 42)
        let goAway = frame(.goAway, [], 0, 0)
        return [
            "yamux-frames": [[0x80] + life + ping, [0x09] + life],
            "yamux-session": [[0xe0] + life + ping + goAway, [0x61] + life + life, [0x80] + ping + ping],
        ]
    }
}
