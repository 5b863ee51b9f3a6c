import CQuic
import Identity
import Multiformats
import NIOConcurrencyHelpers
import TLS

/// psq's credentials for one host key: a self-signed P-256 certificate with the libp2p extension, made
/// once per key (go does the same) and kept for the process's life.
final class QUICIdentity: @unchecked Sendable {
    // psq_identity is immutable after creation and only read by connections.
    let pointer: OpaquePointer

    private init(pointer: OpaquePointer) { self.pointer = pointer }

    private static let cache = NIOLockedValueBox<[PeerID: QUICIdentity]>([:])

    static func `for`(_ hostKey: PrivateKey) throws(QUICError) -> QUICIdentity {
        if let known = cache.withLockedValue({ $0[hostKey.peerID] }) { return known }
        let certificate: TLSLocalCertificate
        do { certificate = try TLSLocalCertificate.make(hostKey: hostKey) } catch {
            throw .setupFailed("cannot make the libp2p certificate: \(error)")
        }
        var error = [CChar](repeating: 0, count: 256)
        let made = certificate.der.withUnsafeBufferPointer { cert in
            certificate.keyDER.withUnsafeBufferPointer { key in
                psq_identity_new(cert.baseAddress, cert.count, key.baseAddress, key.count, &error, error.count)
            }
        }
        guard let made else {
            throw .setupFailed("GnuTLS refused the certificate: \(String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
        }
        let identity = QUICIdentity(pointer: made)
        return cache.withLockedValue { cache in
            if let raced = cache[hostKey.peerID] { return raced }
            cache[hostKey.peerID] = identity
            return identity
        }
    }
}
