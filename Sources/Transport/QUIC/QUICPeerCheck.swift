import CQuic
import Identity
import Multiformats
import TLS

/// The libp2p certificate check of one connection, called by psq inside the TLS handshake (before it can
/// complete): the same verifier as `/tls/1.0.0`, then the dialed peer ID. What it found is kept for the
/// connection's steps.
final class QUICPeerCheck: @unchecked Sendable {
    // Only touched on the connection's event loop: psq calls back inside psq_conn_read there.
    let expectedPeer: PeerID?
    private(set) var verified: TLSCertificateVerifier.Verified?
    private(set) var failure: String?

    init(expectedPeer: PeerID?) {
        self.expectedPeer = expectedPeer
    }

    func check(_ der: [UInt8]) -> Bool {
        do {
            let result = try TLSCertificateVerifier.verify(der: der)
            if let expectedPeer, expectedPeer != result.peerID {
                failure = "peer ID mismatch: dialed \(expectedPeer), the key proves \(result.peerID)"
                return false
            }
            verified = result
            return true
        } catch {
            failure = "\(error)"
            return false
        }
    }

    /// The C entry point: `context` is an unretained `QUICPeerCheck` the connection keeps alive.
    static let callback: psq_verify_fn = { context, der, length, message, capacity in
        guard let context, let der else { return 1 }
        let check = Unmanaged<QUICPeerCheck>.fromOpaque(context).takeUnretainedValue()
        if check.check(Array(UnsafeBufferPointer(start: der, count: length))) { return 0 }
        // The reason goes into psq's close reason too (NUL-terminated, cut to the buffer).
        if let message, capacity > 1, let failure = check.failure {
            let bytes = Array(failure.utf8.prefix(capacity - 1))
            for (index, byte) in bytes.enumerated() { message[index] = CChar(bitPattern: byte) }
            message[bytes.count] = 0
        }
        return 1
    }
}
