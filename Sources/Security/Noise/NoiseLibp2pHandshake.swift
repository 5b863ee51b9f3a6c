@preconcurrency import Crypto
import NIOCore
import Identity
import Multiformats

/// The libp2p Noise handshake (`/noise`, noise.md §3–§6) as a sans-IO state machine over
/// `NoiseHandshakeState`: it frames messages with the 2-byte length prefix, carries the signed
/// `NoiseHandshakePayload`, verifies the peer's identity and picks the early muxer.
///
/// ```
/// initiator: start ─▶ send 1 ─▶ await 2 ─(verify)─▶ send 3 ─▶ completed
/// responder: start ─▶ await 1 ─▶ send 2 ─▶ await 3 ─(verify)─▶ completed
/// ```
///
/// Message 1 carries no payload (it is in clear); message 2 carries the responder's payload,
/// message 3 the initiator's. The initiator checks the expected peer ID before it sends message 3,
/// so it never reveals its identity to the wrong peer.
public struct NoiseLibp2pHandshake: Sendable {
    private enum State: Sendable {
        case idle(NoiseHandshakeState)
        case handshaking(NoiseHandshakeState)
        case finished
    }

    /// Where our handshake payload comes from.
    private enum LocalPayload: Sendable {
        /// Signed when it is sent (a static key of this handshake alone).
        case sign(identity: PrivateKey)
        /// Made beforehand with the static key (``NoiseLocalIdentity``).
        case prepared([UInt8])
    }

    public let role: NoiseRole
    private let localPayload: LocalPayload
    private let expectedRemotePeer: PeerID?
    private let streamMuxers: [String]
    private var state: State
    private var frames = NoiseFrameDecoder()

    /// - Parameters:
    ///   - identity: our libp2p identity key; signs the Noise static key.
    ///   - expectedRemotePeer: the peer we dialed; the handshake fails if the remote is someone else.
    ///   - streamMuxers: our muxers for early negotiation, in preference order (empty: send none).
    ///   - staticKey: our X25519 static key; a fresh one per handshake unless given (the spec
    ///     allows one per process, never persisted).
    public init(
        role: NoiseRole,
        identity: PrivateKey,
        expectedRemotePeer: PeerID? = nil,
        streamMuxers: [String] = ["/yamux/1.0.0"],
        staticKey: Curve25519.KeyAgreement.PrivateKey = Curve25519.KeyAgreement.PrivateKey()
    ) {
        self.init(
            role: role, identity: identity, expectedRemotePeer: expectedRemotePeer, streamMuxers: streamMuxers,
            staticKey: staticKey, ephemeralKey: Curve25519.KeyAgreement.PrivateKey(), prologue: [])
    }

    /// A handshake with a prepared static key and payload (see ``NoiseLocalIdentity``): no key
    /// generation or signature for the static key on this connection.
    /// Its muxers are the ones in the prepared payload.
    public init(role: NoiseRole, local: NoiseLocalIdentity, expectedRemotePeer: PeerID? = nil) {
        self.role = role
        self.localPayload = .prepared(local.payload)
        self.expectedRemotePeer = expectedRemotePeer
        self.streamMuxers = local.streamMuxers
        self.state = .idle(NoiseHandshakeState(
            role: role, prologue: [], staticKey: local.staticKey, ephemeralKey: Curve25519.KeyAgreement.PrivateKey()))
    }

    /// Full control over key material and prologue, for replaying vectors.
    init(
        role: NoiseRole,
        identity: PrivateKey,
        expectedRemotePeer: PeerID?,
        streamMuxers: [String],
        staticKey: Curve25519.KeyAgreement.PrivateKey,
        ephemeralKey: Curve25519.KeyAgreement.PrivateKey,
        prologue: [UInt8]
    ) {
        self.role = role
        self.localPayload = .sign(identity: identity)
        self.expectedRemotePeer = expectedRemotePeer
        self.streamMuxers = streamMuxers
        self.state = .idle(
            NoiseHandshakeState(role: role, prologue: prologue, staticKey: staticKey, ephemeralKey: ephemeralKey))
    }

    /// The message number we wait for, or nil when not waiting (not started, our turn, or done).
    public var awaitedMessage: Int? {
        guard case .handshaking(let noise) = state, !noise.isOurTurn else { return nil }
        return noise.nextMessageNumber
    }

    /// The error to report when the connection closes now.
    public var closedError: NoiseError {
        .closedDuringHandshake(awaitingMessage: awaitedMessage ?? (role == .initiator ? 2 : 1))
    }

    /// Starts the handshake: the initiator sends message 1, the responder waits.
    public mutating func start() -> [NoiseHandshakeAction] {
        guard case .idle(var noise) = state else {
            preconditionFailure("NoiseLibp2pHandshake.start() called twice")
        }
        var actions: [NoiseHandshakeAction] = []
        if role == .initiator {
            do {
                // Message 1 is sent in clear: never any payload (noise.md §3).
                try send(noise.writeMessage(payload: []), number: 1, actions: &actions)
            } catch {
                state = .finished
                return [.failed(error)]
            }
        }
        state = .handshaking(noise)
        return actions
    }

    /// Feeds raw bytes from the network.
    public mutating func receive(_ bytes: ByteBuffer) -> [NoiseHandshakeAction] {
        switch state {
        case .idle:
            preconditionFailure("NoiseLibp2pHandshake.receive(_:) before start()")
        case .finished:
            return []
        case .handshaking(var noise):
            frames.append(bytes)
            var actions: [NoiseHandshakeAction] = []
            do {
                while !noise.isComplete, let frame = frames.nextFrame() {
                    try handle(Array(frame.readableBytesView), noise: &noise, actions: &actions)
                }
            } catch {
                state = .finished
                actions.append(.failed(error))
                return actions
            }
            if noise.isComplete {
                state = .finished
            } else {
                state = .handshaking(noise)
            }
            return actions
        }
    }

    // MARK: - Messages

    private mutating func handle(
        _ message: [UInt8], noise: inout NoiseHandshakeState, actions: inout [NoiseHandshakeAction]
    ) throws(NoiseError) {
        let number = noise.nextMessageNumber ?? 0
        let payload = try noise.readMessage(message)
        actions.append(.event(.messageReceived(number: number, bytes: NoiseProtocol.framePrefixLength + message.count)))
        switch (role, number) {
        case (.responder, 1):
            // go ignores a message-1 payload; so do we.
            try send(noise.writeMessage(payload: ourPayload(noise)), number: 2, actions: &actions)
        case (.initiator, 2):
            let responder = try verifyRemote(payload, noise: noise, message: 2, actions: &actions)
            try send(noise.writeMessage(payload: ourPayload(noise)), number: 3, actions: &actions)
            let muxer = NoiseEarlyMuxer.select(initiatorMuxers: streamMuxers, responderMuxers: responder.streamMuxers)
            complete(responder, earlyMuxer: muxer, noise: noise, actions: &actions)
        case (.responder, 3):
            let initiator = try verifyRemote(payload, noise: noise, message: 3, actions: &actions)
            let muxer = NoiseEarlyMuxer.select(initiatorMuxers: initiator.streamMuxers, responderMuxers: streamMuxers)
            complete(initiator, earlyMuxer: muxer, noise: noise, actions: &actions)
        default:
            preconditionFailure("XX has no message \(number) to read for the \(role)")
        }
    }

    private func ourPayload(_ noise: NoiseHandshakeState) throws(NoiseError) -> [UInt8] {
        switch localPayload {
        case .sign(let identity):
            return try NoiseHandshakePayload.make(
                identity: identity, staticPublicKey: noise.localStaticPublicKey, streamMuxers: streamMuxers)
        case .prepared(let payload):
            return payload
        }
    }

    private func verifyRemote(
        _ payload: [UInt8], noise: NoiseHandshakeState, message: Int, actions: inout [NoiseHandshakeAction]
    ) throws(NoiseError) -> NoiseHandshakePayload.Verified {
        guard let remoteStatic = noise.remoteStatic else {
            preconditionFailure("XX delivers the remote static key in message \(message)")
        }
        let verified = try NoiseHandshakePayload.verify(
            payload, remoteStaticKey: Array(remoteStatic.rawRepresentation), message: message)
        if let expectedRemotePeer, expectedRemotePeer != verified.peerID {
            throw .peerIDMismatch(expected: expectedRemotePeer, actual: verified.peerID)
        }
        actions.append(.event(.peerVerified(verified.peerID, keyType: verified.publicKey.keyType)))
        return verified
    }

    private func send(_ message: [UInt8], number: Int, actions: inout [NoiseHandshakeAction]) {
        var framed = ByteBuffer()
        framed.reserveCapacity(NoiseProtocol.framePrefixLength + message.count)
        framed.writeInteger(UInt16(message.count))
        framed.writeBytes(message)
        actions.append(.send(framed))
        actions.append(.event(.messageSent(number: number, bytes: framed.readableBytes)))
    }

    private mutating func complete(
        _ remote: NoiseHandshakePayload.Verified, earlyMuxer: String?, noise: NoiseHandshakeState,
        actions: inout [NoiseHandshakeAction]
    ) {
        let (send, receive) = noise.split()
        let result = NoiseHandshakeResult(
            remotePeerID: remote.peerID, remotePublicKey: remote.publicKey, earlyMuxer: earlyMuxer)
        actions.append(
            .completed(
                result, transport: NoiseTransport(sendCipher: send, receiveCipher: receive),
                leftover: frames.takeRemainingBytes()))
    }
}
