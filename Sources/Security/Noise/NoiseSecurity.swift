import Core
import NIOCore

/// libp2p Noise as the node's security protocol: registered in the upgrader's security list.
public struct NoiseSecurity: SecurityProtocol {
    public var protocolID: String { NoiseProtocol.multistreamID }
    public var name: String { "noise" }
    public var negotiatesMuxerEarly: Bool { true }

    public init() {}

    public func secure(channel: any Channel, session: SecuritySession) -> EventLoopFuture<SecuredConnection> {
        let local: NoiseLocalIdentity
        do {
            // The static key and its signed payload are made once per identity, not per connection.
            local = try NoiseLocalIdentity.cached(identity: session.identity, streamMuxers: session.muxers)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        let handshake = NoiseLibp2pHandshake(
            role: session.direction == .outbound ? .initiator : .responder, local: local,
            expectedRemotePeer: session.expectedPeer)
        let completed = channel.eventLoop.makePromise(of: NoiseHandshakeResult.self)
        let onStep = session.onStep
        let handler = NoiseChannelHandler(handshake: handshake, completion: completed) { event in
            onStep(event.securityStep)
        }
        do {
            try channel.pipeline.syncOperations.addHandler(handler)
        } catch {
            completed.fail(error)
        }
        return completed.futureResult.map { noise in
            SecuredConnection(remotePeer: noise.remotePeerID, remotePublicKey: noise.remotePublicKey,
                              earlyMuxer: noise.earlyMuxer)
        }
    }
}

extension NoiseHandshakeEvent {
    /// The XX tokens of each message, as the timeline names it.
    private static let tokens = [1: "e", 2: "e, ee, s, es", 3: "s, se"]

    var securityStep: SecurityStep {
        switch self {
        case .messageSent(let number, let bytes):
            return .handshakeMessage(SecurityHandshakeMessage(
                protocolName: "noise", direction: .sent, number: number,
                content: Self.tokens[number] ?? "msg \(number)", bytes: bytes))
        case .messageReceived(let number, let bytes):
            return .handshakeMessage(SecurityHandshakeMessage(
                protocolName: "noise", direction: .received, number: number,
                content: Self.tokens[number] ?? "msg \(number)", bytes: bytes))
        case .peerVerified(let peer, let keyType):
            return .peerVerified(peer, keyType: keyType)
        }
    }
}

extension NoiseError: UpgradeErrorConvertible {
    /// Identity problems belong to peer verification; the rest to the Noise handshake.
    public func upgradeError(in phase: UpgradePhase) -> UpgradeError {
        let handshake = UpgradePhase.securityHandshake("noise")
        switch self {
        case .peerIDMismatch(let expected, let actual):
            return UpgradeError(phase: .peerVerification, kind: .peerIDMismatch(expected: expected, actual: actual),
                                expected: "peer \(expected)", got: "a key proving \(actual)")
        case .invalidIdentitySignature(let message):
            return UpgradeError(phase: .peerVerification, kind: .authenticationFailed,
                                expected: "a valid identity signature in noise message \(message)",
                                got: "a signature that does not verify")
        case .invalidIdentityKey(let message, let reason):
            return UpgradeError(phase: .peerVerification, kind: .authenticationFailed,
                                expected: "a libp2p identity key in noise message \(message)", got: reason)
        case .closedDuringHandshake(let message):
            return UpgradeError(phase: handshake, kind: .connectionClosed,
                                expected: "noise message \(message)", got: "the connection closed")
        default:
            return UpgradeError(phase: handshake, kind: .protocolViolation,
                                expected: "a valid Noise XX handshake", got: "\(self)")
        }
    }
}
