import NIOCore

/// The listener (responder) side of multistream-select 1.0 as a sans-IO state machine
/// (multistream-select.md §2, §4).
///
/// ```
/// idle ──start (send header)──▶ awaitingHeader ──header──▶ awaitingProposal ──supported──▶ negotiated
///                                                           │   ▲              (echo sent)
///                                                           └───┘ unsupported or "ls": send "na"
///                                                           (more than maxRejections ──▶ failed)
/// ```
///
/// Listeners never act lazily: the header goes out at `start()`, the echo as soon as a supported
/// proposal is read. `ls` is answered with `na`, as go-multistream does.
public struct MultistreamListener: Sendable, MultistreamMessageProcessing {
    private enum State: Sendable {
        case idle
        case awaitingHeader
        case awaitingProposal
        case negotiated
        case failed
    }

    /// Largest number of `na` answers before the listener gives up on the dialer.
    public static let defaultMaxRejections = 16

    private let isSupported: @Sendable (String) -> Bool
    private let maxRejections: Int
    private var rejected: [String] = []
    private var state: State = .idle
    var inbound: MultistreamInbound
    private let allocator: ByteBufferAllocator

    /// A listener that accepts exactly the given protocol IDs (byte-exact comparison).
    public init(
        supportedProtocols: Set<String>,
        maxRejections: Int = MultistreamListener.defaultMaxRejections,
        maxMessageLength: Int = MultistreamMessage.defaultMaxLength,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) {
        self.init(
            maxRejections: maxRejections,
            maxMessageLength: maxMessageLength,
            allocator: allocator,
            matching: { supportedProtocols.contains($0) }
        )
    }

    /// A listener that accepts any proposal for which `matching` returns true; the proposal itself is
    /// echoed.
    public init(
        maxRejections: Int = MultistreamListener.defaultMaxRejections,
        maxMessageLength: Int = MultistreamMessage.defaultMaxLength,
        allocator: ByteBufferAllocator = ByteBufferAllocator(),
        matching: @escaping @Sendable (String) -> Bool
    ) {
        precondition(maxRejections >= 0, "maxRejections must not be negative")
        self.isSupported = matching
        self.maxRejections = maxRejections
        self.inbound = MultistreamInbound(maxMessageLength: maxMessageLength)
        self.allocator = allocator
    }

    /// Where the negotiation stands, for error reports when the transport closes early.
    public var phase: MultistreamPhase? {
        switch state {
        case .idle, .awaitingHeader: return .awaitingHeader
        case .awaitingProposal: return .awaitingProposal
        case .negotiated, .failed: return nil
        }
    }

    /// Sends our header right away, without waiting for the dialer's.
    public mutating func start() -> [MultistreamAction] {
        guard case .idle = state else {
            preconditionFailure("MultistreamListener.start() called twice")
        }
        state = .awaitingHeader
        return [.send(MultistreamMessage.encode(MultistreamMessage.header, allocator: allocator))]
    }

    /// Feeds bytes from the dialer. Bytes past the accepted proposal come back in
    /// `.negotiated(leftover:)`.
    public mutating func receive(_ bytes: ByteBuffer) -> [MultistreamAction] {
        switch state {
        case .idle:
            preconditionFailure("MultistreamListener.receive(_:) before start()")
        case .negotiated:
            preconditionFailure("MultistreamListener.receive(_:) after negotiation finished")
        case .failed:
            return []
        case .awaitingHeader, .awaitingProposal:
            break
        }
        return processInbound(bytes)
    }

    mutating func handle(_ message: String, actions: inout [MultistreamAction]) -> Bool {
        switch state {
        case .awaitingHeader:
            guard message == MultistreamMessage.header else {
                state = .failed
                actions.append(.failed(.unexpectedHeader(got: message)))
                return true
            }
            state = .awaitingProposal
            return false
        case .awaitingProposal:
            if message != MultistreamMessage.list && isSupported(message) {
                state = .negotiated
                actions.append(.send(MultistreamMessage.encode(message, allocator: allocator)))
                actions.append(.negotiated(protocol: message, leftover: inbound.takeLeftover()))
                return true
            }
            rejected.append(message)
            guard rejected.count <= maxRejections else {
                state = .failed
                actions.append(.failed(.tooManyRejections(limit: maxRejections, proposals: rejected)))
                return true
            }
            actions.append(.send(MultistreamMessage.encode(MultistreamMessage.notAvailable, allocator: allocator)))
            return false
        case .idle, .negotiated, .failed:
            preconditionFailure("MultistreamListener handled a message in a final state")
        }
    }

    mutating func enterFailedState() {
        state = .failed
    }
}
