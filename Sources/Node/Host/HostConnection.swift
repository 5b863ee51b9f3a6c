import NIOConcurrencyHelpers
import NIOCore
import Core
import Events
import Identity
import Yamux
import Multiformats

/// An established connection as the host keeps it: the upgraded connection plus what the host
/// learned about its streams (which protocol each one speaks).
public final class HostConnection: Sendable {
    public let upgraded: UpgradedConnection
    public let establishedAt: ContinuousClock.Instant
    private let streams = NIOLockedValueBox(StreamTable())

    struct StreamTable {
        var protocols: [UInt64: String] = [:]
        /// Protocols of recently ended streams, so snapshots can still name them (bounded).
        var endedProtocols: [UInt64: String] = [:]
        var perProtocol: [String: Int] = [:]
        var directions: [UInt64: ConnectionDirection] = [:]
        var closeCause: ConnectionCloseCause?
        var identify: IdentifySummary?
        var lastPingRTT: Duration?
    }

    init(upgraded: UpgradedConnection) {
        self.upgraded = upgraded
        self.establishedAt = .now
    }

    public var id: ConnectionID { upgraded.id }
    public var peer: PeerID { upgraded.remotePeer }
    /// The muxed connection its streams live on.
    public var muxed: any MuxedConnection { upgraded.connection }

    /// Reserves a slot for `protocolID` on stream `streamID`, or says which limit is full.
    func admitStream(_ streamID: UInt64, protocolID: String, configuration: HostConfiguration) -> LimitRejection? {
        streams.withLockedValue { table in
            if table.protocols.count >= configuration.maxStreamsPerConnection {
                return LimitRejection(limit: "max streams per connection", value: configuration.maxStreamsPerConnection,
                                      peer: peer)
            }
            let limit = configuration.streamLimit(for: protocolID)
            let open = table.perProtocol[protocolID, default: 0]
            if open >= limit {
                return LimitRejection(limit: "max streams per protocol", value: limit, peer: peer,
                                      detail: "\(open) \(protocolID) streams already open")
            }
            table.protocols[streamID] = protocolID
            table.perProtocol[protocolID] = open + 1
            return nil
        }
    }

    func noteDirection(_ streamID: UInt64, _ direction: ConnectionDirection) {
        streams.withLockedValue { $0.directions[streamID] = direction }
    }

    /// Forgets a finished stream; returns the protocol it spoke, if it got that far.
    func streamEnded(_ streamID: UInt64) -> String? {
        streams.withLockedValue { table in
            table.directions[streamID] = nil
            guard let protocolID = table.protocols.removeValue(forKey: streamID) else { return nil }
            if table.endedProtocols.count >= HostConnection.endedProtocolMemory,
                let oldest = table.endedProtocols.keys.min() {
                table.endedProtocols.removeValue(forKey: oldest)
            }
            table.endedProtocols[streamID] = protocolID
            let remaining = table.perProtocol[protocolID, default: 1] - 1
            table.perProtocol[protocolID] = remaining > 0 ? remaining : nil
            return protocolID
        }
    }

    static let endedProtocolMemory = 64

    /// Protocol of every live stream, and of recently ended ones.
    func streamProtocols() -> [UInt64: String] {
        streams.withLockedValue { $0.endedProtocols.merging($0.protocols) { _, live in live } }
    }

    func noteCloseCause(_ cause: ConnectionCloseCause) {
        streams.withLockedValue { if $0.closeCause == nil { $0.closeCause = cause } }
    }

    var closeCause: ConnectionCloseCause? { streams.withLockedValue { $0.closeCause } }

    /// What the peer said about itself on this connection, once identify finished.
    public var identify: IdentifySummary? { streams.withLockedValue { $0.identify } }
    func setIdentify(_ summary: IdentifySummary) { streams.withLockedValue { $0.identify = summary } }

    public var lastPingRTT: Duration? { streams.withLockedValue { $0.lastPingRTT } }
    func setLastPingRTT(_ rtt: Duration) { streams.withLockedValue { $0.lastPingRTT = rtt } }
}

/// A stream the host accepted and negotiated, handed to the handler registered for its protocol.
public struct IncomingStream: Sendable {
    public let connection: HostConnection
    public let streamID: UInt64
    public let protocolID: String
    public let stream: NegotiatedStream
}

public typealias StreamHandler = @Sendable (IncomingStream) async throws -> Void
