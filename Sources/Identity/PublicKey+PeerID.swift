import Multiformats

extension PublicKey {
    /// The peer ID this key proves: identity multihash of the marshaled key when it is at most
    /// 42 bytes (Ed25519, secp256k1), SHA-256 multihash otherwise (RSA, ECDSA).
    public var peerID: PeerID { PeerID(publicKeyProtobuf: marshal()) }
}

extension PrivateKey {
    public var peerID: PeerID { publicKey.peerID }
}
