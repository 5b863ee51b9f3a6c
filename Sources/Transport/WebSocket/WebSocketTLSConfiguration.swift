import NIOSSL

/// The TLS of `/wss` (and `/tls/ws`): a dial checks the server's certificate against the system's trust
/// roots (plus any given here) and the address's name; a listener presents the chain given here.
public struct WebSocketTLSConfiguration: Sendable {
    /// Extra roots for dials (`--wss-trust FILE`), next to the system's.
    public var additionalTrustRoots: [NIOSSLCertificate] = []
    /// The chain and key `/wss` listeners present (`--wss-cert FILE --wss-key FILE`); nil: no `/wss` listening.
    public var serverIdentity: (chain: [NIOSSLCertificate], key: NIOSSLPrivateKey)?

    public init(additionalTrustRoots: [NIOSSLCertificate] = [], serverIdentity: (chain: [NIOSSLCertificate], key: NIOSSLPrivateKey)? = nil) {
        self.additionalTrustRoots = additionalTrustRoots
        self.serverIdentity = serverIdentity
    }

    /// Reads PEM files, with errors that name the file and what was wrong with it.
    public static func load(trust: [String], certificate: String?, key: String?) throws(WebSocketTransportError) -> WebSocketTLSConfiguration {
        var configuration = WebSocketTLSConfiguration()
        for path in trust {
            do {
                configuration.additionalTrustRoots += try NIOSSLCertificate.fromPEMFile(path)
            } catch {
                throw .tlsUnavailable("cannot read trusted certificates from \(path): \(error)")
            }
        }
        switch (certificate, key) {
        case (nil, nil):
            break
        case (let certificate?, let key?):
            let chain: [NIOSSLCertificate]
            do { chain = try NIOSSLCertificate.fromPEMFile(certificate) } catch {
                throw .tlsUnavailable("cannot read the certificate chain \(certificate): \(error)")
            }
            guard !chain.isEmpty else { throw .tlsUnavailable("\(certificate) holds no PEM certificate") }
            let privateKey: NIOSSLPrivateKey
            do { privateKey = try NIOSSLPrivateKey(file: key, format: .pem) } catch {
                throw .tlsUnavailable("cannot read the private key \(key): \(error)")
            }
            configuration.serverIdentity = (chain, privateKey)
        default:
            throw .tlsUnavailable("a /wss listener needs both a certificate (--wss-cert) and its key (--wss-key)")
        }
        return configuration
    }

    func makeClientContext() throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = .fullVerification
        tls.applicationProtocols = ["http/1.1"]
        if !additionalTrustRoots.isEmpty { tls.additionalTrustRoots = [.certificates(additionalTrustRoots)] }
        return try NIOSSLContext(configuration: tls)
    }

    func makeServerContext() throws -> NIOSSLContext? {
        guard let serverIdentity else { return nil }
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: serverIdentity.chain.map { .certificate($0) }, privateKey: .privateKey(serverIdentity.key))
        tls.minimumTLSVersion = .tlsv12
        tls.applicationProtocols = ["http/1.1"]
        return try NIOSSLContext(configuration: tls)
    }
}
