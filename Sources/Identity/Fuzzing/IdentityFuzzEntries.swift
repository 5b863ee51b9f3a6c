import Multiformats

/// Fuzz entry points for the key protobufs peers send us.
package enum IdentityFuzzEntries {
    /// A public key decoded from the network re-marshals to exactly the received bytes (peer IDs are hashed
    /// from them), and its peer ID embeds or hashes those bytes.
    package static func publicKey(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        let name = "public-key"
        guard let key = try? PublicKey(marshaled: input) else { return }
        try fuzzCheck(key.marshal() == input, name, "\(key.keyType) key re-marshals to different bytes")
        try fuzzCheck((try? PublicKey(marshaled: key.marshal())) == key, name, "re-marshaled key decodes differently")
        if let inlined = key.peerID.inlinedPublicKeyProtobuf {
            try fuzzCheck(inlined == input, name, "the key inlined in its peer ID differs from the input")
        } else {
            try fuzzCheck(input.count > PeerID.maxInlineKeyLength, name, "a short key's peer ID is hashed, not inlined")
        }
    }

    /// A private key decodes to a canonical form that is stable, and it signs what its public key verifies.
    package static func privateKey(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        let name = "private-key"
        guard let key = try? PrivateKey(marshaled: input) else { return }
        let canonical = key.marshal()
        let again = try? PrivateKey(marshaled: canonical)
        try fuzzCheck(again?.marshal() == canonical, name, "\(key.keyType) canonical form is not stable")
        try fuzzCheck(again?.publicKey == key.publicKey, name, "re-decoded key has another public key")
        // RSA signing in a debug build costs milliseconds; the other types are cheap enough for every input.
        guard key.keyType != .rsa else { return }
        let message = Array("peerscope fuzz".utf8)
        if let signature = try? key.sign(message) {
            try fuzzCheck(key.publicKey.verify(signature: signature, for: message), name, "\(key.keyType) signature does not verify")
        }
    }
}
