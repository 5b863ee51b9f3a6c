import NIOCore

/// The inbound side shared by the dialer and the listener: buffers bytes, cuts them into messages and
/// hands back what follows the last message the machine consumed.
struct MultistreamInbound: Sendable {
    private var buffered = ByteBuffer()
    private let decoder: MultistreamMessageDecoder

    init(maxMessageLength: Int) {
        decoder = MultistreamMessageDecoder(maxLength: maxMessageLength)
    }

    mutating func append(_ bytes: ByteBuffer) {
        if buffered.readableBytes == 0 {
            // One read usually holds whole messages: adopt it instead of copying.
            buffered = bytes
        } else {
            var bytes = bytes
            buffered.writeBuffer(&bytes)
        }
    }

    mutating func nextMessage() throws(MultistreamError) -> String? {
        try decoder.decode(&buffered)
    }

    /// The bytes after the last decoded message; they belong to the negotiated protocol.
    mutating func takeLeftover() -> ByteBuffer {
        defer { buffered = ByteBuffer() }
        return buffered
    }
}

/// The message loop shared by `MultistreamDialer` and `MultistreamListener`.
protocol MultistreamMessageProcessing {
    var inbound: MultistreamInbound { get set }
    /// Reacts to one message; returns true once the negotiation reached a final state.
    mutating func handle(_ message: String, actions: inout [MultistreamAction]) -> Bool
    /// Records that the negotiation failed on malformed input.
    mutating func enterFailedState()
}

extension MultistreamMessageProcessing {
    /// Appends `bytes` and handles every complete message until the negotiation ends.
    mutating func processInbound(_ bytes: ByteBuffer) -> [MultistreamAction] {
        inbound.append(bytes)
        var actions: [MultistreamAction] = []
        do {
            while let message = try inbound.nextMessage() {
                if handle(message, actions: &actions) {
                    break
                }
            }
        } catch {
            enterFailedState()
            actions.append(.failed(error))
        }
        return actions
    }
}
