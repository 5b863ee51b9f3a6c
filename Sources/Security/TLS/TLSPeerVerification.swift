import Core
import Foundation
import Identity
import Multiformats
import NIOSSL

/// The verdict on the peer's certificate, reached inside the TLS library's verification callback and
/// read by the handshake watcher afterwards. Lives on the connection's event loop.
final class TLSPeerVerification: @unchecked Sendable {
    private let expectedPeer: PeerID?
    private let onStep: (SecurityStep) -> Void
    private(set) var verified: TLSCertificateVerifier.Verified?
    /// Why we refused the certificate: the TLS library only reports a generic "certificate verify failed".
    private(set) var failure: TLSError?

    init(expectedPeer: PeerID?, onStep: @escaping (SecurityStep) -> Void) {
        self.expectedPeer = expectedPeer
        self.onStep = onStep
    }

    func verify(_ certificates: [NIOSSLCertificate]) -> NIOSSLVerificationResult {
        do {
            let chain = try certificates.map { certificate -> [UInt8] in
                do { return try certificate.toDERBytes() } catch {
                    throw TLSError.malformedCertificate(reason: "cannot read the certificate's DER: \(error)")
                }
            }
            let result = try TLSCertificateVerifier.verify(chain: chain)
            if let expectedPeer, result.peerID != expectedPeer {
                throw TLSError.peerIDMismatch(expected: expectedPeer, actual: result.peerID)
            }
            verified = result
            onStep(.handshakeMessage(SecurityHandshakeMessage(
                protocolName: "tls", direction: .received, number: 0,
                content: "certificate: \(result.hostKey.keyType.name) host key, libp2p extension verified",
                bytes: 0)))
            onStep(.peerVerified(result.peerID, keyType: result.hostKey.keyType))
            return .certificateVerified
        } catch let error as TLSError {
            failure = error
            return .failed
        } catch {
            failure = .malformedCertificate(reason: "\(error)")
            return .failed
        }
    }
}
