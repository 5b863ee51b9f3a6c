import NIOCore
import Core
import Identity
import Multiformats

/// The four identify stream roles. Every exchange is bounded by ``timeout`` (go-libp2p: 5 s) and by
/// ``limits``; on any failure the stream is reset.
public struct IdentifyService: Sendable {
    public var limits: IdentifyLimits
    public var timeout: Duration

    public init(limits: IdentifyLimits = IdentifyLimits(), timeout: Duration = .seconds(5)) {
        self.limits = limits
        self.timeout = timeout
    }

    /// Listener of `/ipfs/id/1.0.0`: sends `info` and closes our side.
    ///
    /// - Throws: ``IdentifyError/ownMessageTooLarge(size:limit:)`` or
    ///   ``IdentifyError/ownRecordTooLarge(size:limit:)`` (nothing is sent), ``ProtocolTimeoutError``,
    ///   or the stream's write error.
    @discardableResult
    public func respond(_ stream: some MuxedStream, info: IdentifyInfo) async throws -> IdentifySendReport {
        try await send(info, on: stream, activity: "identify response")
    }

    /// Opener of `/ipfs/id/push/1.0.0`: sends `info` (all of it, or just what changed) and closes our side.
    @discardableResult
    public func push(_ stream: some MuxedStream, info: IdentifyInfo) async throws -> IdentifySendReport {
        try await send(info, on: stream, activity: "identify push")
    }

    /// Dialer of `/ipfs/id/1.0.0`: reads the peer's message(s) until it closes, then closes our side.
    ///
    /// - Parameter expectedPeer: the peer authenticated by the security handshake; the message's public
    ///   key must belong to it. Without a key in the message, the key inlined in `expectedPeer` is used.
    /// - Throws: ``IdentifyError``, ``ProtocolTimeoutError``, or the stream's read error.
    public func request(_ stream: some MuxedStream, expectedPeer: PeerID) async throws -> IdentifyResult {
        let (update, diagnostics) = try await receive(on: stream, from: expectedPeer, activity: "identify request") {
            update,
            diagnostics in
            guard update.publicKey == nil else { return }
            guard let inlined = expectedPeer.inlinedPublicKeyProtobuf,
                let key = try? PublicKey(marshaled: inlined)
            else { throw IdentifyError.missingPublicKey(peer: expectedPeer) }
            update.publicKey = key
            diagnostics.publicKeyFromPeerID = true
        }
        guard let publicKey = update.publicKey else {
            preconditionFailure("the completion step above always sets the public key or throws")
        }
        return IdentifyResult(info: IdentifyInfo(publicKey: publicKey, update: update), diagnostics: diagnostics)
    }

    /// Listener of `/ipfs/id/push/1.0.0`: reads the pushed message(s) until the peer closes, then closes
    /// our side. Fields the message lacks are nil in the update ("unchanged").
    ///
    /// py-libp2p's pusher waits up to 1 s for a non-standard "OK" before closing its side; we send none,
    /// so a push from py completes after that second.
    public func receivePush(_ stream: some MuxedStream, expectedPeer: PeerID) async throws -> IdentifyPushResult {
        let (update, diagnostics) = try await receive(
            on: stream,
            from: expectedPeer,
            activity: "identify push receive",
            complete: { _, _ in }
        )
        return IdentifyPushResult(update: update, diagnostics: diagnostics)
    }

    // MARK: - Shared steps

    private func send(_ info: IdentifyInfo, on stream: some MuxedStream, activity: String) async throws
        -> IdentifySendReport
    {
        do {
            let encoded = try IdentifyMessageEncoder.encode(info, limits: limits)
            try await withTimeout(timeout, activity: activity, onTimeout: { stream.reset() }) {
                try await stream.write(encoded.wireBytes)
                try await stream.closeWrite()
            }
            return encoded.report
        } catch {
            stream.reset()
            throw error
        }
    }

    /// Reads to the end within the timeout, decodes, validates; `complete` may fill in or reject before
    /// the stream is closed. Any failure resets the stream.
    private func receive(
        on stream: some MuxedStream,
        from peer: PeerID,
        activity: String,
        complete: (inout IdentifyUpdate, inout IdentifyDiagnostics) throws -> Void
    ) async throws -> (IdentifyUpdate, IdentifyDiagnostics) {
        let reader = MuxedStreamReader(stream)
        let limit = limits.maxReceivedStreamBytes
        do {
            let bytes = try await withTimeout(timeout, activity: activity, onTimeout: { stream.reset() }) {
                do {
                    return try await reader.readToEnd(limit: limit)
                } catch MuxedStreamReadError.limitExceeded(let limit) {
                    throw IdentifyError.streamTooLong(limit: limit)
                }
            }
            let decoded = try IdentifyMessageDecoder.decode(bytes, limits: limits)
            var diagnostics = IdentifyDiagnostics(
                framing: decoded.framing,
                messageCount: decoded.messageCount,
                byteCount: bytes.readableBytes
            )
            var update = try IdentifyUpdate(
                message: decoded.message,
                from: peer,
                limits: limits,
                diagnostics: &diagnostics
            )
            try complete(&update, &diagnostics)
            // The message is complete; a peer that already went away cannot take it back.
            try? await stream.closeWrite()
            return (update, diagnostics)
        } catch {
            stream.reset()
            throw error
        }
    }
}
