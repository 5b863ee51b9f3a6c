import NIOCore
import Identity
import Multiformats

/// A security handshake over a raw byte channel (Noise, TLS), registered in the upgrader's security
/// list by its multistream protocol ID.
public protocol SecurityProtocol: Sendable {
    /// The multistream-select protocol ID (`/noise`).
    var protocolID: String { get }
    /// A short name for timelines and phases (`noise`).
    var name: String { get }
    /// Whether the handshake can agree on the muxer itself (Noise extensions, TLS ALPN).
    var negotiatesMuxerEarly: Bool { get }

    /// Adds the handshake to the end of `channel`'s pipeline and starts it. Called on the channel's event
    /// loop. The returned future completes on the event loop before any decrypted byte is forwarded, so
    /// the next layer can be added from its callback; it fails with an error that says which phase
    /// went wrong (ideally an `UpgradeErrorConvertible`).
    func secure(channel: any Channel, session: SecuritySession) -> EventLoopFuture<SecuredConnection>
}

/// What a security handshake needs to know about this connection. Lives on the channel's event loop.
public struct SecuritySession {
    /// The dialer is the handshake's initiator.
    public let direction: ConnectionDirection
    public let identity: PrivateKey
    /// Set when the dialed address named a peer: the handshake fails unless the remote proves it.
    public let expectedPeer: PeerID?
    /// Muxer protocol IDs in preference order, for early negotiation.
    public let muxers: [String]
    /// Reports each handshake step as it happens, on the event loop.
    public let onStep: (SecurityStep) -> Void

    public init(
        direction: ConnectionDirection, identity: PrivateKey, expectedPeer: PeerID?, muxers: [String],
        onStep: @escaping (SecurityStep) -> Void
    ) {
        self.direction = direction
        self.identity = identity
        self.expectedPeer = expectedPeer
        self.muxers = muxers
        self.onStep = onStep
    }
}

/// Who the peer proved to be, and the muxer the handshake agreed on, if it did.
public struct SecuredConnection: Sendable, Hashable {
    public let remotePeer: PeerID
    public let remotePublicKey: PublicKey
    /// Chosen inside the handshake; nil means negotiate the muxer with multistream-select next.
    public let earlyMuxer: String?

    public init(remotePeer: PeerID, remotePublicKey: PublicKey, earlyMuxer: String?) {
        self.remotePeer = remotePeer
        self.remotePublicKey = remotePublicKey
        self.earlyMuxer = earlyMuxer
    }
}
