import Crypto
import Foundation

/// The cryptographic floor of one connection upgrade, per side: what Noise XX with the libp2p payload
/// cannot avoid — an ephemeral X25519 key pair, three Diffie-Hellman operations, one Ed25519 signature
/// (over the static key) and one verification (of the peer's) — with swift-crypto on one thread.
enum HandshakeCryptoBaseline {
    /// Microseconds of that work for one side.
    static func measure(iterations: Int) throws -> Double {
        let identity = Curve25519.Signing.PrivateKey()
        let peerIdentity = Curve25519.Signing.PrivateKey()
        let peerStatic = Curve25519.KeyAgreement.PrivateKey().publicKey
        let peerEphemeral = Curve25519.KeyAgreement.PrivateKey().publicKey
        let message = Array("noise-libp2p-static-key:".utf8) + Array(peerStatic.rawRepresentation)
        let peerSignature = try peerIdentity.signature(for: message)
        let ourStatic = Curve25519.KeyAgreement.PrivateKey()
        var accepted = 0
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<iterations {
            let ephemeral = Curve25519.KeyAgreement.PrivateKey()
            _ = try ephemeral.sharedSecretFromKeyAgreement(with: peerEphemeral)
            _ = try ephemeral.sharedSecretFromKeyAgreement(with: peerStatic)
            _ = try ourStatic.sharedSecretFromKeyAgreement(with: peerEphemeral)
            _ = try identity.signature(for: message)
            if peerIdentity.publicKey.isValidSignature(peerSignature, for: message) { accepted += 1 }
        }
        let elapsed = clock.now - start
        guard accepted == iterations else { throw HandshakeCryptoError.verificationFailed }
        return elapsed.microseconds / Double(iterations)
    }
}

enum HandshakeCryptoError: Error, CustomStringConvertible {
    case verificationFailed
    var description: String { "a valid Ed25519 signature did not verify" }
}
