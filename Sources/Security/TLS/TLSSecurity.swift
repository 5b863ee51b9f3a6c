import Core
import Foundation
import Identity
import NIOCore
import NIOSSL

/// libp2p TLS 1.3 (`/tls/1.0.0`) as the node's security protocol, registered in the upgrader's
/// security list. Muxers are agreed early through ALPN.
public struct TLSSecurity: SecurityProtocol {
    public static let protocolID = "/tls/1.0.0"
    /// Always offered, last: choosing it means "no muxer here, negotiate one with multistream next".
    static let baseALPN = "libp2p"

    public var protocolID: String { Self.protocolID }
    public var name: String { "tls" }
    public var negotiatesMuxerEarly: Bool { true }

    public init() {}

    public func secure(channel: any Channel, session: SecuritySession) -> EventLoopFuture<SecuredConnection> {
        let completion = channel.eventLoop.makePromise(of: SecuredConnection.self)
        do {
            let local = try TLSLocalCertificate.make(hostKey: session.identity)
            let alpn = session.muxers + [Self.baseALPN]
            let context = try NIOSSLContext(configuration: Self.configuration(
                local: local, alpn: alpn, direction: session.direction))
            let verification = TLSPeerVerification(expectedPeer: session.expectedPeer, onStep: session.onStep)
            let callback: NIOSSLCustomVerificationCallback = { certificates, promise in
                promise.succeed(verification.verify(certificates))
            }
            let tlsHandler: any ChannelHandler =
                switch session.direction {
                case .outbound:
                    // No SNI: the peer is named by its key, not a host name (the spec forbids sending one).
                    try NIOSSLClientHandler(context: context, serverHostname: nil, customVerificationCallback: callback)
                case .inbound:
                    NIOSSLServerHandler(context: context, customVerificationCallback: callback)
                }
            let observer = TLSRecordObserver(report: { session.onStep(.handshakeMessage($0)) })
            let watcher = TLSHandshakeWatcher(
                offeredALPN: alpn, muxers: session.muxers, verification: verification, observer: observer,
                onStep: session.onStep, completion: completion)
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(observer)
            try pipeline.addHandler(tlsHandler)
            try pipeline.addHandler(watcher)
        } catch {
            completion.fail(error)
        }
        return completion.futureResult
    }

    static func configuration(local: TLSLocalCertificate, alpn: [String], direction: ConnectionDirection) -> TLSConfiguration {
        var configuration =
            switch direction {
            case .outbound: TLSConfiguration.makeClientConfiguration()
            case .inbound: TLSConfiguration.makeServerConfiguration(
                certificateChain: [.certificate(local.certificate)], privateKey: .privateKey(local.privateKey))
            }
        configuration.certificateChain = [.certificate(local.certificate)]
        configuration.privateKey = .privateKey(local.privateKey)
        configuration.minimumTLSVersion = .tlsv13
        configuration.maximumTLSVersion = .tlsv13
        // Both sides must present a certificate; the custom callback replaces PKI checks with libp2p's.
        configuration.certificateVerification = .noHostnameVerification
        configuration.trustRoots = .certificates([])
        configuration.applicationProtocols = alpn
        return configuration
    }
}
