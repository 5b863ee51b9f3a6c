import Core
import NIOCore

/// mplex as a stream muxer the upgrader can negotiate (`/mplex/6.7.0`). Not offered by default: mplex
/// is deprecated (no flow control); list it in `UpgraderConfiguration.muxers` to speak to peers that
/// only have it.
public struct MplexMuxer: StreamMuxer {
    public static let protocolID = "/mplex/6.7.0"
    public var protocolID: String { Self.protocolID }
    public var configuration: MplexConfiguration

    public init(configuration: MplexConfiguration = MplexConfiguration()) {
        self.configuration = configuration
    }

    /// Both sides may open streams and nothing in mplex depends on who dialed, so `direction` is unused.
    public func start(
        on channel: any Channel, direction: ConnectionDirection,
        onEvent: @escaping @Sendable (MuxerEvent) -> Void
    ) throws -> any MuxedConnection {
        let mplex = try channel.pipeline.syncOperations.addMplexHandler(configuration: configuration, onEvent: onEvent)
        return MplexMuxedConnection(mplex: mplex, channel: channel)
    }
}

/// An mplex session as a `MuxedConnection`: the session plus the channel it runs on.
public final class MplexMuxedConnection: MuxedConnection {
    public let mplex: MplexConnection
    let channel: any Channel

    public init(mplex: MplexConnection, channel: any Channel) {
        self.mplex = mplex
        self.channel = channel
    }

    public var eventLoop: any EventLoop { mplex.eventLoop }
    public var closeFuture: EventLoopFuture<Void> { channel.closeFuture }

    public func openStream() async throws -> any MuxerStream { try await mplex.openStream() }
    public func acceptStream() async throws -> (any MuxerStream)? { try await mplex.accept() }
    public func goAway() { mplex.goAway() }
    public func close() async { await mplex.close() }
    public func abort() { channel.close(promise: nil) }

    public func snapshotOnEventLoop() -> MuxedSessionSnapshot? {
        mplex.snapshotOnEventLoop().map(MuxedSessionSnapshot.init(mplex:))
    }
}

extension MuxedSessionSnapshot {
    init(mplex session: MplexSessionSnapshot) {
        self.init(
            streams: session.streams.map(MuxedStreamInfo.init(mplex:)),
            recentlyClosed: session.recentlyClosed.map(MuxedStreamInfo.init(mplex:)),
            framesIn: session.counters.framesIn, framesOut: session.counters.framesOut,
            bytesIn: session.counters.bytesIn, bytesOut: session.counters.bytesOut,
            lastRTT: nil, closing: session.goingAway || session.closeReason != nil)
    }
}

extension MuxedStreamInfo {
    /// mplex has no flow-control windows: both are nil, and the unread buffer is what bounds a stream.
    init(mplex info: MplexStreamInfo) {
        self.init(
            id: info.id.connectionUniqueValue, origin: info.origin, state: info.state, sendWindow: nil,
            receiveWindow: nil, bufferedBytes: UInt32(clamping: info.bufferedBytes), bytesIn: info.bytesIn,
            bytesOut: info.bytesOut, framesIn: info.framesIn, framesOut: info.framesOut, openedAt: info.openedAt)
    }
}
