import Core
import NIOCore
import NIOSSL
import NIOTLS

/// Sits above the TLS handler until the handshake ends: turns its outcome into a `SecuredConnection`
/// (peer from the verified certificate, muxer from ALPN) or a named `TLSError`, then leaves the
/// pipeline together with the record observer.
final class TLSHandshakeWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let offeredALPN: [String]
    private let muxers: [String]
    private let verification: TLSPeerVerification
    private let observer: TLSRecordObserver
    private let onStep: (SecurityStep) -> Void
    private var completion: EventLoopPromise<SecuredConnection>?

    init(
        offeredALPN: [String], muxers: [String], verification: TLSPeerVerification, observer: TLSRecordObserver,
        onStep: @escaping (SecurityStep) -> Void, completion: EventLoopPromise<SecuredConnection>
    ) {
        self.offeredALPN = offeredALPN
        self.muxers = muxers
        self.verification = verification
        self.observer = observer
        self.onStep = onStep
        self.completion = completion
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted(let negotiated) = tlsEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        finish(context: context, negotiatedALPN: negotiated)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard completion != nil else {
            context.fireErrorCaught(error)
            return
        }
        fail(context: context, verification.failure ?? Self.classify(error))
    }

    func channelInactive(context: ChannelHandlerContext) {
        if completion != nil { fail(context: context, verification.failure ?? .closedDuringHandshake) }
        context.fireChannelInactive()
    }

    private func finish(context: ChannelHandlerContext, negotiatedALPN: String?) {
        guard let completion else { return }
        guard let verified = verification.verified else {
            fail(context: context, verification.failure ?? .wrongCertificateCount(0))
            return
        }
        let earlyMuxer: String?
        switch negotiatedALPN {
        case nil, TLSSecurity.baseALPN?:
            // No ALPN answer at all is what a peer without early negotiation sends: multistream decides.
            earlyMuxer = nil
        case let chosen? where muxers.contains(chosen):
            earlyMuxer = chosen
        case let chosen?:
            fail(context: context, .alpnDisagreement(offered: offeredALPN, chosen: chosen))
            return
        }
        onStep(.handshakeMessage(SecurityHandshakeMessage(
            protocolName: "tls", direction: .received, number: 0,
            content: "handshake done, ALPN \(negotiatedALPN ?? "none")\(earlyMuxer == nil ? " (muxer by multistream next)" : "")",
            bytes: 0)))
        self.completion = nil
        leavePipeline(context: context)
        completion.succeed(SecuredConnection(
            remotePeer: verified.peerID, remotePublicKey: verified.hostKey, earlyMuxer: earlyMuxer))
    }

    private func fail(context: ChannelHandlerContext, _ error: TLSError) {
        guard let completion else { return }
        self.completion = nil
        completion.fail(error)
        context.close(promise: nil)
    }

    private func leavePipeline(context: ChannelHandlerContext) {
        let pipeline = context.pipeline.syncOperations
        pipeline.removeHandler(observer, promise: nil)
        pipeline.removeHandler(context: context, promise: nil)
    }

    /// The TLS library's error, named where we can tell what went wrong.
    static func classify(_ error: any Error) -> TLSError {
        let text = "\(error)"
        if text.contains("UNSUPPORTED_PROTOCOL") || text.contains("PROTOCOL_VERSION") || text.contains("WRONG_VERSION") {
            return .versionTooOld(detail: text)
        }
        if text.contains("NO_APPLICATION_PROTOCOL") {
            return .alpnDisagreement(offered: [], chosen: nil)
        }
        if let sslError = error as? NIOSSLError, case .uncleanShutdown = sslError { return .closedDuringHandshake }
        return .handshakeFailed(detail: text)
    }
}
