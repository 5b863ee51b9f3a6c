import Identity
import Multiformats

/// Validation of a decoded `Identify` message against the connection it arrived on.
extension IdentifyUpdate {
    /// Reads the fields of `message` from `connectionPeer`.
    ///
    /// Fatal: a public key that does not decode or belongs to another peer. Tolerated and counted in
    /// `diagnostics`: unparsable listen or observed addresses, protocols beyond the limit. The signed
    /// record's verdict goes into ``signedPeerRecord``.
    init(
        message: Identify_Pb_Identify,
        from connectionPeer: PeerID,
        limits: IdentifyLimits,
        diagnostics: inout IdentifyDiagnostics
    ) throws(IdentifyError) {
        self.init()
        if message.hasPublicKey {
            let key: PublicKey
            do {
                key = try PublicKey(marshaled: Array(message.publicKey))
            } catch {
                throw .invalidPublicKey(error)
            }
            guard key.peerID == connectionPeer else {
                throw .publicKeyMismatch(expected: connectionPeer, received: key.peerID)
            }
            publicKey = key
        }
        if !message.listenAddrs.isEmpty {
            var addresses: [Multiaddr] = []
            for bytes in message.listenAddrs {
                if !bytes.isEmpty, let address = try? Multiaddr(bytes: bytes) {
                    addresses.append(address)
                } else {
                    diagnostics.skippedListenAddrs += 1
                }
            }
            listenAddrs = addresses
        }
        if message.hasObservedAddr, !message.observedAddr.isEmpty {
            if let address = try? Multiaddr(bytes: message.observedAddr) {
                observedAddr = address
            } else {
                diagnostics.invalidObservedAddr = true
            }
        }
        if !message.protocols.isEmpty {
            let kept = message.protocols.prefix(limits.maxProtocols)
            diagnostics.droppedProtocols = message.protocols.count - kept.count
            protocols = Array(kept)
        }
        if message.hasProtocolVersion { protocolVersion = message.protocolVersion }
        if message.hasAgentVersion { agentVersion = message.agentVersion }
        signedPeerRecord = PeerRecordStatus(
            envelope: message.hasSignedPeerRecord ? Array(message.signedPeerRecord) : nil,
            from: connectionPeer
        )
    }
}
