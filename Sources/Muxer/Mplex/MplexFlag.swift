/// What an mplex frame does, without the side that sent it.
public enum MplexFrameKind: Hashable, Sendable {
    case newStream
    case message
    case close
    case reset
}

/// The three low bits of an mplex header (mplex spec, "Flag Values"). Apart from NewStream, every kind
/// comes in two flags: one sent by the stream's initiator (even), one by its receiver (odd). That is how a
/// receiver tells which namespace the stream number belongs to: both sides number their streams alike.
public enum MplexFlag: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case newStream = 0
    case messageReceiver = 1
    case messageInitiator = 2
    case closeReceiver = 3
    case closeInitiator = 4
    case resetReceiver = 5
    case resetInitiator = 6

    /// The flag for a frame of `kind` sent by the stream's initiator (or, when false, its receiver).
    /// NewStream only ever comes from the initiator.
    public init(_ kind: MplexFrameKind, senderIsInitiator: Bool) {
        switch (kind, senderIsInitiator) {
        case (.newStream, _): self = .newStream
        case (.message, true): self = .messageInitiator
        case (.message, false): self = .messageReceiver
        case (.close, true): self = .closeInitiator
        case (.close, false): self = .closeReceiver
        case (.reset, true): self = .resetInitiator
        case (.reset, false): self = .resetReceiver
        }
    }

    public var kind: MplexFrameKind {
        switch self {
        case .newStream: .newStream
        case .messageReceiver, .messageInitiator: .message
        case .closeReceiver, .closeInitiator: .close
        case .resetReceiver, .resetInitiator: .reset
        }
    }

    /// Whether the sender opened the stream (even flags). The receiver of the frame then holds the stream
    /// in its *remote* namespace.
    public var senderIsInitiator: Bool { rawValue & 1 == 0 }

    public var description: String {
        switch self {
        case .newStream: "NewStream"
        case .messageReceiver: "MessageReceiver"
        case .messageInitiator: "MessageInitiator"
        case .closeReceiver: "CloseReceiver"
        case .closeInitiator: "CloseInitiator"
        case .resetReceiver: "ResetReceiver"
        case .resetInitiator: "ResetInitiator"
        }
    }
}
