@preconcurrency import Crypto
import Identity

/// The HandshakeState of the Noise framework (rev. 34 §5.3) for `Noise_XX_25519_ChaChaPoly_SHA256`:
///
/// ```
/// XX:
///   -> e
///   <- e, ee, s, es
///   -> s, se
/// ```
///
/// Pure Noise: payloads are opaque bytes and messages carry no length prefix. Key material is
/// injectable so published vectors can be replayed byte for byte (noise.md §7).
struct NoiseHandshakeState: Sendable {
    enum Token: Sendable {
        case e, s, ee, es, se
    }

    /// The XX message pattern; entry i is message i + 1.
    static let pattern: [[Token]] = [[.e], [.e, .ee, .s, .es], [.s, .se]]

    let role: NoiseRole
    private var symmetric: NoiseSymmetricState
    private let localStatic: Curve25519.KeyAgreement.PrivateKey
    private let localEphemeral: Curve25519.KeyAgreement.PrivateKey
    private(set) var remoteStatic: Curve25519.KeyAgreement.PublicKey?
    private var remoteEphemeral: Curve25519.KeyAgreement.PublicKey?
    /// How many messages have been written or read (3 = handshake complete).
    private(set) var completedMessages = 0

    init(
        role: NoiseRole,
        prologue: [UInt8] = [],
        staticKey: Curve25519.KeyAgreement.PrivateKey,
        ephemeralKey: Curve25519.KeyAgreement.PrivateKey = Curve25519.KeyAgreement.PrivateKey()
    ) {
        self.role = role
        self.localStatic = staticKey
        self.localEphemeral = ephemeralKey
        var symmetric = NoiseSymmetricState(protocolName: NoiseProtocol.name)
        // Done even for an empty prologue: it changes h (noise.md §1).
        symmetric.mixHash(prologue)
        self.symmetric = symmetric
    }

    /// The number (1–3) of the next message, or nil when the handshake is complete.
    var nextMessageNumber: Int? {
        completedMessages < Self.pattern.count ? completedMessages + 1 : nil
    }

    var isComplete: Bool { nextMessageNumber == nil }

    /// Whether the next message is ours to write (the initiator writes messages 1 and 3).
    var isOurTurn: Bool {
        (completedMessages % 2 == 0) == (role == .initiator)
    }

    var handshakeHash: [UInt8] { symmetric.handshakeHash }

    /// Our static X25519 public key.
    var localStaticPublicKey: [UInt8] { Array(localStatic.publicKey.rawRepresentation) }

    /// Builds the next message with `payload` at its end.
    mutating func writeMessage(payload: [UInt8]) throws(NoiseError) -> [UInt8] {
        guard let number = nextMessageNumber, isOurTurn else {
            preconditionFailure("NoiseHandshakeState.writeMessage when it is not our turn to write")
        }
        var message: [UInt8] = []
        for token in Self.pattern[number - 1] {
            switch token {
            case .e:
                let publicKey = Array(localEphemeral.publicKey.rawRepresentation)
                message += publicKey
                symmetric.mixHash(publicKey)
            case .s:
                message += try symmetric.encryptAndHash(localStaticPublicKey)
            case .ee, .es, .se:
                try mixKey(token, message: number)
            }
        }
        message += try symmetric.encryptAndHash(payload)
        precondition(message.count <= NoiseProtocol.maxMessageLength, "handshake payload too large for one Noise message")
        completedMessages += 1
        return message
    }

    /// Processes the peer's next message and returns its payload.
    mutating func readMessage(_ message: [UInt8]) throws(NoiseError) -> [UInt8] {
        guard let number = nextMessageNumber, !isOurTurn else {
            preconditionFailure("NoiseHandshakeState.readMessage when it is our turn to write")
        }
        let minimum = minimumLength(ofMessage: number)
        guard message.count >= minimum else {
            throw .handshakeMessageTooShort(message: number, minimum: minimum, got: message.count)
        }
        var cursor = message[...]
        for token in Self.pattern[number - 1] {
            switch token {
            case .e:
                let publicKey = Array(cursor.prefix(NoiseProtocol.dhLength))
                cursor = cursor.dropFirst(NoiseProtocol.dhLength)
                remoteEphemeral = try Self.publicKey(publicKey, message: number)
                symmetric.mixHash(publicKey)
            case .s:
                let length = NoiseProtocol.dhLength + (symmetric.hasKey ? NoiseProtocol.tagLength : 0)
                let sealed = Array(cursor.prefix(length))
                cursor = cursor.dropFirst(length)
                guard let publicKey = try symmetric.decryptAndHash(sealed) else {
                    throw .handshakeDecryptionFailed(message: number)
                }
                remoteStatic = try Self.publicKey(publicKey, message: number)
            case .ee, .es, .se:
                try mixKey(token, message: number)
            }
        }
        guard let payload = try symmetric.decryptAndHash(Array(cursor)) else {
            throw .handshakeDecryptionFailed(message: number)
        }
        completedMessages += 1
        return payload
    }

    /// Split (after message 3): the cipher we send with and the one we receive with.
    func split() -> (send: NoiseTransportCipher, receive: NoiseTransportCipher) {
        precondition(isComplete, "NoiseHandshakeState.split before the handshake completed")
        let keys = symmetric.split()
        switch role {
        case .initiator: return (keys.initiatorToResponder, keys.responderToInitiator)
        case .responder: return (keys.responderToInitiator, keys.initiatorToResponder)
        }
    }

    // MARK: - Tokens

    private mutating func mixKey(_ token: Token, message: Int) throws(NoiseError) {
        let local: Curve25519.KeyAgreement.PrivateKey
        let remote: Curve25519.KeyAgreement.PublicKey?
        switch (token, role) {
        case (.ee, _):
            (local, remote) = (localEphemeral, remoteEphemeral)
        case (.es, .initiator), (.se, .responder):
            (local, remote) = (localEphemeral, remoteStatic)
        case (.es, .responder), (.se, .initiator):
            (local, remote) = (localStatic, remoteEphemeral)
        case (.e, _), (.s, _):
            preconditionFailure("\(token) is not a DH token")
        }
        guard let remote else {
            preconditionFailure("XX pattern delivers the remote key before \(token)")
        }
        symmetric.mixKey(try Self.dh(local, remote, message: message))
    }

    private static func dh(
        _ local: Curve25519.KeyAgreement.PrivateKey,
        _ remote: Curve25519.KeyAgreement.PublicKey,
        message: Int
    ) throws(NoiseError) -> [UInt8] {
        let secret: [UInt8]
        do {
            secret = try local.sharedSecretFromKeyAgreement(with: remote).withUnsafeBytes { Array($0) }
        } catch {
            throw .invalidRemoteKey(message: message)
        }
        // A low-order remote point yields all zeros; reject it like go's curve25519.X25519 does.
        guard secret.contains(where: { $0 != 0 }) else {
            throw .invalidRemoteKey(message: message)
        }
        return secret
    }

    private static func publicKey(_ bytes: [UInt8], message: Int) throws(NoiseError) -> Curve25519.KeyAgreement.PublicKey {
        do {
            return try Curve25519.KeyAgreement.PublicKey(rawRepresentation: bytes)
        } catch {
            throw .invalidRemoteKey(message: message)
        }
    }

    /// Bytes the tokens of message `number` need, plus the payload tag once a key exists.
    private func minimumLength(ofMessage number: Int) -> Int {
        var hasKey = symmetric.hasKey
        var length = 0
        for token in Self.pattern[number - 1] {
            switch token {
            case .e: length += NoiseProtocol.dhLength
            case .s: length += NoiseProtocol.dhLength + (hasKey ? NoiseProtocol.tagLength : 0)
            case .ee, .es, .se: hasKey = true
            }
        }
        return length + (hasKey ? NoiseProtocol.tagLength : 0)
    }
}
