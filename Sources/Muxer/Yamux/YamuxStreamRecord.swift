import NIOCore
import Core

/// The session's bookkeeping for one live stream. Closed and reset streams are removed from the session.
struct YamuxStreamRecord: Sendable {
    /// The SYN/ACK exchange (yamux spec §3).
    enum Handshake: Hashable, Sendable {
        /// We sent SYN and wait for the peer's ACK (counts against the outbound ACK backlog).
        case synSent
        /// The peer sent SYN; our next frame on the stream carries ACK (counts against the inbound backlog).
        case synReceived
        case established
    }

    /// Half-close progress. Both FINs, or a reset, remove the stream instead of adding a state here.
    enum HalfClose: Hashable, Sendable {
        case open
        /// We sent FIN.
        case localClosed
        /// The peer sent FIN.
        case remoteClosed
    }

    // Declaration order is layout order: 8-byte fields first, then 4-byte, then 1-byte ones, so the record
    // (one per live stream, in the session's dictionary) carries no padding.
    let openedAt: NIODeadline
    var bytesIn: UInt64 = 0
    var bytesOut: UInt64 = 0
    var framesIn: UInt64 = 0
    var framesOut: UInt64 = 0
    var receive: YamuxReceiveWindow
    let id: YamuxStreamID
    var sendWindow: UInt32 = YamuxConfiguration.protocolInitialWindow
    let origin: MuxedStreamOrigin
    var handshake: Handshake
    var halfClose: HalfClose = .open
    /// A write stopped at a zero send window: the next credit from the peer is reported.
    var writeBlocked = false

    init(id: YamuxStreamID, origin: MuxedStreamOrigin, receiveTarget: UInt32, now: NIODeadline) {
        self.id = id
        self.origin = origin
        self.openedAt = now
        self.handshake = origin == .local ? .synSent : .synReceived
        self.receive = YamuxReceiveWindow(target: receiveTarget, now: now)
    }

    var canWrite: Bool { halfClose != .localClosed }
    var canReceive: Bool { halfClose != .remoteClosed }

    var info: YamuxStreamInfo {
        let state: MuxedStreamState =
            switch (halfClose, handshake) {
            case (.localClosed, _): .localClosed
            case (.remoteClosed, _): .remoteClosed
            case (.open, .synSent): .synSent
            case (.open, .synReceived): .synReceived
            case (.open, .established): .open
            }
        return YamuxStreamInfo(
            id: id, origin: origin, state: state, sendWindow: sendWindow, receiveWindow: receive.credit,
            receiveWindowTarget: receive.target, bufferedBytes: receive.buffered, bytesIn: bytesIn,
            bytesOut: bytesOut, framesIn: framesIn, framesOut: framesOut, openedAt: openedAt)
    }
}
