import NIOCore
import Core
import Identity
import Multiformats
import Yamux

/// The node's live state at one moment, for the UI's tables and `peerscope listen --json`.
public struct HostSnapshot: Sendable {
    public let takenAt: ContinuousClock.Instant
    public let peerID: PeerID
    public let listenAddresses: [Multiaddr]
    public let connections: [ConnectionSnapshot]
    /// Connections still being upgraded (no peer ID yet for inbound ones).
    public let upgrading: [UpgradingSnapshot]
    public let eventSubscribers: Int
}

public struct UpgradingSnapshot: Sendable, Hashable {
    public let id: ConnectionID
    public let direction: ConnectionDirection
    public let remoteAddress: Multiaddr?
    public let age: Duration
}

public struct ConnectionSnapshot: Sendable {
    public let id: ConnectionID
    public let peer: PeerID
    public let direction: ConnectionDirection
    public let localAddress: Multiaddr?
    public let remoteAddress: Multiaddr?
    public let security: String
    public let muxer: String
    public let earlyMuxerNegotiation: Bool
    public let age: Duration
    /// Last RTT from `/ipfs/ping/1.0.0`, else from the muxer's own pings (yamux).
    public let rtt: Duration?
    public let agentVersion: String?
    /// Frames and bytes (muxer headers included) in each direction.
    public let framesIn: UInt64
    public let framesOut: UInt64
    public let bytesIn: UInt64
    public let bytesOut: UInt64
    public let streams: [StreamSnapshot]
    /// Closed and reset streams kept for a while so the UI can still show how they ended.
    public let recentlyClosedStreams: [StreamSnapshot]
    /// Set once the session ended or sent/received GoAway.
    public let closing: Bool
}

/// One stream. Windows and the receive buffer are nil for muxers that have none (the UI shows "—").
public struct StreamSnapshot: Sendable, Hashable {
    public let id: UInt64
    public let direction: ConnectionDirection
    public let protocolID: String?
    public let state: MuxedStreamState
    public let sendWindow: UInt32?
    public let receiveWindow: UInt32?
    public let bufferedBytes: UInt32?
    public let bytesIn: UInt64
    public let bytesOut: UInt64
    public let framesIn: UInt64
    public let framesOut: UInt64
    public let age: Duration
}

extension Host {
    /// Copies the live state of every connection and stream. Muxer state is read on the event loops
    /// that own it: one hop per event loop for all of its connections (with 10,000 connections a hop
    /// per connection made a snapshot cost hundreds of milliseconds), all loops in parallel.
    public func snapshot() async -> HostSnapshot {
        let now = ContinuousClock.now
        let nioNow = NIODeadline.now()
        let (connections, upgrading, listen) = state.withLockedValue { state in
            (Array(state.connections.values), Array(state.upgrading), state.listenAddresses)
        }
        var byLoop: [ObjectIdentifier: (loop: any EventLoop, connections: [HostConnection])] = [:]
        for connection in connections {
            let loop = connection.muxed.eventLoop
            byLoop[ObjectIdentifier(loop), default: (loop, [])].connections.append(connection)
        }
        let connectionSnapshots = await withTaskGroup(of: [ConnectionSnapshot].self) { group in
            for (loop, onLoop) in byLoop.values {
                group.addTask {
                    let sessions = (try? await loop.submit { onLoop.map { $0.muxed.snapshotOnEventLoop() } }.get()) ?? []
                    return zip(onLoop, sessions).compactMap { connection, session in
                        session.map { Self.snapshot(of: connection, session: $0, now: now, nioNow: nioNow) }
                    }
                }
            }
            var result: [ConnectionSnapshot] = []
            result.reserveCapacity(connections.count)
            for await snapshots in group { result += snapshots }
            return result.sorted { $0.id < $1.id }
        }
        return HostSnapshot(
            takenAt: now, peerID: peerID, listenAddresses: listen, connections: connectionSnapshots,
            upgrading: upgrading.map { id, pending in
                UpgradingSnapshot(id: id, direction: pending.direction, remoteAddress: pending.remote,
                                  age: now - pending.startedAt)
            }.sorted { $0.id < $1.id },
            eventSubscribers: broadcaster.subscriberCount)
    }

    private static func snapshot(
        of connection: HostConnection, session: MuxedSessionSnapshot, now: ContinuousClock.Instant, nioNow: NIODeadline
    ) -> ConnectionSnapshot {
        let protocols = connection.streamProtocols()
        func stream(_ info: MuxedStreamInfo) -> StreamSnapshot {
            StreamSnapshot(
                id: info.id, direction: info.origin == .local ? .outbound : .inbound,
                protocolID: protocols[info.id], state: info.state,
                sendWindow: info.sendWindow, receiveWindow: info.receiveWindow, bufferedBytes: info.bufferedBytes,
                bytesIn: info.bytesIn, bytesOut: info.bytesOut, framesIn: info.framesIn, framesOut: info.framesOut,
                age: .nanoseconds((nioNow - info.openedAt).nanoseconds))
        }
        let upgraded = connection.upgraded
        return ConnectionSnapshot(
            id: upgraded.id, peer: upgraded.remotePeer, direction: upgraded.direction,
            localAddress: upgraded.localAddress, remoteAddress: upgraded.remoteAddress,
            security: upgraded.security, muxer: upgraded.muxer, earlyMuxerNegotiation: upgraded.earlyMuxerNegotiation,
            age: now - connection.establishedAt,
            rtt: connection.lastPingRTT ?? session.lastRTT,
            agentVersion: connection.identify?.agentVersion,
            framesIn: session.framesIn, framesOut: session.framesOut,
            bytesIn: session.bytesIn, bytesOut: session.bytesOut,
            streams: session.streams.map(stream), recentlyClosedStreams: session.recentlyClosed.map(stream),
            closing: session.closing)
    }
}
