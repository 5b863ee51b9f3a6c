import NIOCore
import Identity
import Multiformats

/// Who the peer turned out to be after a verified libp2p Noise handshake.
public struct NoiseHandshakeResult: Sendable, Equatable {
    /// Derived from the verified identity key.
    public let remotePeerID: PeerID
    public let remotePublicKey: PublicKey
    /// The muxer chosen through Noise extensions (noise.md §6); nil means negotiate the muxer with
    /// multistream-select over the secured channel. The Noise initiator is the muxer's client.
    public let earlyMuxer: String?
}

/// A step of the handshake, for the upgrade timeline (as `SecurityStep`s, see `NoiseSecurity`), in the
/// order it happened. `number` is the XX message number 1–3; `bytes` its size on the wire including
/// the 2-byte length prefix.
public enum NoiseHandshakeEvent: Sendable, Equatable {
    case messageSent(number: Int, bytes: Int)
    /// Emitted once the message decrypted; a message carrying the peer's identity is followed by
    /// `peerVerified` when its signature checks out.
    case messageReceived(number: Int, bytes: Int)
    /// The peer's identity key signed its Noise static key and matches any expected peer ID.
    /// The initiator sees this before it sends message 3, the responder after message 3.
    case peerVerified(PeerID, keyType: KeyType)
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
