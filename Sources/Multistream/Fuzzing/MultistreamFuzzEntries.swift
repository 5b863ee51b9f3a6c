import Multiformats
import NIOCore

/// Fuzz entry points for multistream-select: both state machines fed the peer's bytes in chunks.
package enum MultistreamFuzzEntries {
    /// The listener never selects a protocol it does not support, answers at most `maxRejections` times
    /// (plus its header and the echo), and hands every byte after the final proposal on as leftover.
    package static func listener(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        let name = "multistream-listener"
        let supported: Set<String> = ["/noise", "/yamux/1.0.0"]
        let maxRejections = 4
        var listener = MultistreamListener(supportedProtocols: supported, maxRejections: maxRejections)
        let sends = try negotiate(input, name, started: listener.start(), receive: { listener.receive($0) }, selectable: supported.contains)
        try fuzzCheck(sends <= maxRejections + 2, name, "\(sends) answers, more than \(maxRejections) rejections allow")
    }

    /// The dialer selects only what it proposed, sends at most one message per proposal, and hands every
    /// byte after the final echo on as leftover.
    package static func dialer(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        let name = "multistream-dialer"
        let lazy = (input.first ?? 0) & 0x40 != 0
        let protocols = lazy ? ["/noise"] : ["/noise", "/tls/1.0.0", "/yamux/1.0.0"]
        var dialer = MultistreamDialer(protocols: protocols, lazy: lazy)
        let sends = try negotiate(input, name, started: dialer.start(), receive: { dialer.receive($0) }, selectable: protocols.contains)
        try fuzzCheck(sends <= protocols.count, name, "\(sends) messages sent for \(protocols.count) proposals")
    }

    /// Feeds the input until negotiation ends; checks the end is final and the leftover exact. Returns how
    /// many messages the machine sent.
    private static func negotiate(
        _ input: [UInt8], _ name: String, started: [MultistreamAction],
        receive: (ByteBuffer) -> [MultistreamAction], selectable: (String) -> Bool
    ) throws(FuzzPropertyViolation) -> Int {
        var sends = 0
        for case .send in started { sends += 1 }
        let chunks = FuzzChunks(input)
        let payload = Array(chunks.payload)
        var fed = 0
        for chunk in chunks {
            fed += chunk.count
            let actions = receive(ByteBuffer(bytes: chunk))
            for (index, action) in actions.enumerated() {
                let isLast = index == actions.count - 1
                switch action {
                case .send:
                    sends += 1
                case .optimisticallySelected:
                    throw FuzzPropertyViolation(target: name, message: "optimistic selection after start")
                case .negotiated(let selected, let leftover):
                    try fuzzCheck(selectable(selected), name, "selected \(selected)")
                    try fuzzCheck(isLast, name, "actions after .negotiated")
                    let unread = Array(leftover.readableBytesView) + payload[fed...]
                    try fuzzCheck(payload.suffix(unread.count).elementsEqual(unread), name, "leftover is not the unread input")
                    return sends
                case .failed:
                    try fuzzCheck(isLast, name, "actions after .failed")
                    return sends
                }
            }
        }
        return sends
    }
}
