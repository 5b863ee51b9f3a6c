import Core
import NIOCore

/// yamux as the node's stream muxer: registered in the upgrader's muxer list.
public struct YamuxMuxer: StreamMuxer {
    public static let protocolID = "/yamux/1.0.0"
    public var protocolID: String { Self.protocolID }
    public var configuration: YamuxConfiguration

    public init(configuration: YamuxConfiguration = YamuxConfiguration()) {
        self.configuration = configuration
    }

    public func start(
        on channel: any Channel, direction: ConnectionDirection,
        onEvent: @escaping @Sendable (MuxerEvent) -> Void
    ) throws -> any MuxedConnection {
        let yamux = try channel.pipeline.syncOperations.addYamuxHandler(
            role: direction == .outbound ? .client : .server, configuration: configuration,
            onEvent: { onEvent($0.muxerEvent) })
        return YamuxMuxedConnection(yamux: yamux, channel: channel)
    }
}

/// A yamux session as a `MuxedConnection`: the session plus the channel it runs on.
public final class YamuxMuxedConnection: MuxedConnection {
    public let yamux: YamuxConnection
    let channel: any Channel

    public init(yamux: YamuxConnection, channel: any Channel) {
        self.yamux = yamux
        self.channel = channel
    }

    public var eventLoop: any EventLoop { yamux.eventLoop }
    public var closeFuture: EventLoopFuture<Void> { channel.closeFuture }

    public func openStream() async throws -> any MuxerStream { try await yamux.openStream() }
    public func acceptStream() async throws -> (any MuxerStream)? { try await yamux.accept() }
    public func goAway() { yamux.goAway() }
    public func close() async { await yamux.close() }
    /// The handler still sends Go Away on the way out (closing a yamux channel always says goodbye).
    public func abort() { channel.close(promise: nil) }

    public func snapshotOnEventLoop() -> MuxedSessionSnapshot? {
        yamux.snapshotOnEventLoop().map(MuxedSessionSnapshot.init(yamux:))
    }
}

extension YamuxStream: MuxerStream {
    public var streamID: UInt64 { UInt64(id.rawValue) }
    public var owningEventLoop: (any EventLoop)? { connection.eventLoop }
}

extension MuxedSessionSnapshot {
    init(yamux session: YamuxSessionSnapshot) {
        self.init(
            streams: session.streams.map(MuxedStreamInfo.init(yamux:)),
            recentlyClosed: session.recentlyClosed.map(MuxedStreamInfo.init(yamux:)),
            framesIn: session.counters.framesIn, framesOut: session.counters.framesOut,
            bytesIn: session.counters.bytesIn, bytesOut: session.counters.bytesOut,
            lastRTT: session.counters.lastRTT,
            closing: session.goAwaySent != nil || session.goAwayReceived != nil || session.closeReason != nil)
    }
}

extension MuxedStreamInfo {
    init(yamux info: YamuxStreamInfo) {
        self.init(
            id: UInt64(info.id.rawValue), origin: info.origin, state: info.state, sendWindow: info.sendWindow,
            receiveWindow: info.receiveWindow, bufferedBytes: info.bufferedBytes, bytesIn: info.bytesIn,
            bytesOut: info.bytesOut, framesIn: info.framesIn, framesOut: info.framesOut, openedAt: info.openedAt)
    }
}

extension YamuxConnectionEvent {
    /// The same event in the muxer-independent vocabulary the Host reports.
    var muxerEvent: MuxerEvent {
        switch self {
        case .streamOpened(let id, let origin):
            return .streamOpened(streamID: UInt64(id.rawValue), origin)
        case .streamClosed(let id, let cause):
            let reset: Bool
            if case .finished = cause { reset = false } else { reset = true }
            return .streamClosed(streamID: UInt64(id.rawValue), cause: cause.description, reset: reset)
        case .streamRejected(let id, let rejection):
            return .streamRejected(streamID: UInt64(id.rawValue), rejection.muxerRejection)
        case .sendWindowExhausted(let id):
            return .windowStalled(streamID: UInt64(id.rawValue))
        case .pingRTT(let rtt):
            return .pingRTT(rtt)
        case .goAwaySent(let code):
            return .goAwaySent(code: code.rawValue)
        case .goAwayReceived(let code):
            return .goAwayReceived(code: code.rawValue)
        case .closed(let reason):
            let error: Bool
            switch reason {
            case .localClose, .remoteGoAway, .connectionLost: error = false
            default: error = true
            }
            return .closed(reason: reason.description, error: error)
        }
    }
}

extension YamuxStreamRejection {
    var muxerRejection: MuxerStreamRejection {
        switch self {
        case .maxStreams(let value): MuxerStreamRejection(limit: "yamux max inbound streams", value: value)
        case .ackBacklogFull(let value): MuxerStreamRejection(limit: "yamux accept backlog", value: value)
        case .goingAway, .streamIDInUse: MuxerStreamRejection(limit: "yamux", value: nil, detail: description)
        }
    }
}
