import NIOCore

/// Who the peer turned out to be after a verified libp2p Noise handshake.
public struct NoiseHandshakeResult: Sendable, Equatable {
    /// Derived from the verified identity key.
    public let remotePeerID: PeerID
    public let remotePublicKey: PublicKey
    /// The muxer chosen through Noise extensions (noise.md §6); nil means negotiate the muxer with
    /// multistream-select over the secured channel. The Noise initiator is the muxer's client.
    public let earlyMuxer: String?
}

/// A step of the handshake, for the upgrade timeline. Numbers are the XX message numbers 1–3.
public enum NoiseHandshakeEvent: Sendable, Equatable {
    case messageSent(Int)
    /// Emitted after the message was decrypted and, for messages 2 and 3, the peer's identity verified.
    case messageReceived(Int)
}

/// What the libp2p Noise handshake asks its adapter to do, in order.
public enum NoiseHandshakeAction: Sendable {
    /// Write these bytes (one framed handshake message).
    case send(ByteBuffer)
    case event(NoiseHandshakeEvent)
    /// The handshake is done. `transport` encrypts from now on; `leftover` holds raw bytes that
    /// arrived behind the last handshake message (usually the peer's first transport frames) and
    /// must be fed to `transport.decrypt` before anything read later.
    case completed(NoiseHandshakeResult, transport: NoiseTransport, leftover: ByteBuffer)
    /// The handshake failed; close the connection.
    case failed(NoiseError)
}
