import NIOCore
import Multiformats

/// What a layered transport (WebSocket over TCP, optionally through TLS) did before it handed its
/// connection over for the libp2p upgrade: the socket connect and each handshake message, with their
/// instants. The upgrade's offsets count from `connectedAt`, so the timeline shows the transport's own
/// handshake before the security protocol's.
public struct TransportEstablishment: Sendable {
    public let connectedAt: NIODeadline
    public let steps: [TimedTransportStep]
    /// The connection's addresses as the transport names them (`/ip4/…/tcp/N/tls/ws`), which the socket
    /// addresses alone cannot say.
    public let localAddress: Multiaddr?
    public let remoteAddress: Multiaddr?

    public init(connectedAt: NIODeadline, steps: [TimedTransportStep], localAddress: Multiaddr?, remoteAddress: Multiaddr?) {
        self.connectedAt = connectedAt
        self.steps = steps
        self.localAddress = localAddress
        self.remoteAddress = remoteAddress
    }
}

public struct TimedTransportStep: Sendable, Hashable {
    public let step: TransportStep
    public let at: NIODeadline

    public init(_ step: TransportStep, at: NIODeadline = .now()) {
        self.step = step
        self.at = at
    }
}

/// A transport failure that names the step it happened at (`tcp`, `tls`, `ws`), for transports with more
/// than one; the dial's failure is reported under that step instead of the transport's name.
public protocol TransportStepFailure: Error {
    var failedStep: String { get }
}
