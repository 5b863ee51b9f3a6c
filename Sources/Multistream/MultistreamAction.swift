import NIOCore

/// What a multistream-select state machine asks its adapter to do, in order.
public enum MultistreamAction: Sendable, Equatable {
    /// Write these bytes to the peer.
    case send(ByteBuffer)
    /// Lazy dialer only: the single proposal went out, so the caller may start the protocol and send
    /// its data now. The header and echo are still checked; `.negotiated` or `.failed` follows.
    case optimisticallySelected(protocol: String)
    /// Negotiation finished. `leftover` holds bytes that arrived after the last multistream message;
    /// they belong to the negotiated protocol and must be handed to it.
    case negotiated(protocol: String, leftover: ByteBuffer)
    /// Negotiation failed; close the connection or reset the stream.
    case failed(MultistreamError)
}
