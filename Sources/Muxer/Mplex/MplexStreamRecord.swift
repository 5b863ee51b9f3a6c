import Core
import NIOCore

/// The session's bookkeeping for one live stream. Streams that ended (both Closes, or a reset either way)
/// are removed from the session.
struct MplexStreamRecord: Sendable {
    let id: MplexStreamID
    let name: String
    let openedAt: NIODeadline
    var bytesIn: UInt64 = 0
    var bytesOut: UInt64 = 0
    var framesIn: UInt64 = 0
    var framesOut: UInt64 = 0
    /// Data received (counted when its header arrives) that the application has not read yet.
    var buffered = 0
    /// We sent Close.
    var localClosed = false
    /// The peer sent Close.
    var remoteClosed = false

    init(id: MplexStreamID, name: String, now: NIODeadline) {
        self.id = id
        self.name = name
        self.openedAt = now
    }

    var canWrite: Bool { !localClosed }
    var canReceive: Bool { !remoteClosed }

    /// The flag for a frame of `kind` we send on this stream.
    func outboundFlag(_ kind: MplexFrameKind) -> MplexFlag {
        MplexFlag(kind, senderIsInitiator: id.origin == .local)
    }

    var info: MplexStreamInfo {
        let state: MuxedStreamState =
            switch (localClosed, remoteClosed) {
            case (false, false): .open
            case (true, false): .localClosed
            case (false, true): .remoteClosed
            case (true, true): .closed
            }
        return MplexStreamInfo(
            id: id, name: name, state: state, bufferedBytes: buffered, bytesIn: bytesIn, bytesOut: bytesOut,
            framesIn: framesIn, framesOut: framesOut, openedAt: openedAt)
    }
}
