import NIOCore

/// A stream multiplexer that runs over a secured byte channel (yamux, mplex), registered in the
/// upgrader's muxer list by its multistream protocol ID.
public protocol StreamMuxer: Sendable {
    /// The multistream-select protocol ID, also offered for early negotiation (`/yamux/1.0.0`).
    var protocolID: String { get }
    /// Adds the muxer at the end of `channel`'s pipeline, which already carries plaintext, and returns the
    /// connection. Called on the channel's event loop. The dialer of the connection is the muxer's
    /// initiator; `onEvent` runs on the event loop for every event.
    func start(
        on channel: any Channel, direction: ConnectionDirection,
        onEvent: @escaping @Sendable (MuxerEvent) -> Void
    ) throws -> any MuxedConnection
}
