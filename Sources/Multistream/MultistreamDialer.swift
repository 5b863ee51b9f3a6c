import NIOCore

/// The dialer (initiator) side of multistream-select 1.0 as a sans-IO state machine
/// (multistream-select.md §2–§3).
///
/// ```
/// idle ──start──▶ awaitingHeader ──header──▶ awaitingReply(i) ──echo──▶ negotiated
///                                              │   ▲
///                                              na  └── send proposal i+1
///                                              └── (no more proposals) ──▶ failed
/// ```
///
/// `start()` returns the header and the first proposal as one buffer (go writes them in one write).
/// In lazy mode (exactly one proposal) `start()` also reports `.optimisticallySelected` so the caller
/// may pipeline its first data behind the proposal; the header and echo are still verified and end in
/// `.negotiated` or `.failed`.
public struct MultistreamDialer: Sendable, MultistreamMessageProcessing {
    private enum State: Sendable {
        case idle
        case awaitingHeader
        case awaitingReply(proposalIndex: Int)
        case negotiated
        case failed
    }

    /// Candidate protocols in preference order.
    public let protocols: [String]
    /// Whether `start()` reports the single proposal as selected before the listener confirms it.
    public let isLazy: Bool

    private var state: State = .idle
    var inbound: MultistreamInbound
    private var answers: [String] = []
    private let allocator: ByteBufferAllocator

    /// - Parameters:
    ///   - protocols: candidates in preference order; must not be empty.
    ///   - lazy: send data before confirmation (rust `V1Lazy`); only allowed with exactly one protocol.
    ///   - maxMessageLength: largest accepted inbound message, newline included.
    public init(
        protocols: [String],
        lazy: Bool = false,
        maxMessageLength: Int = MultistreamMessage.defaultMaxLength,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) {
        precondition(!protocols.isEmpty, "a multistream dialer needs at least one protocol to propose")
        precondition(!lazy || protocols.count == 1, "lazy multistream negotiation needs exactly one protocol")
        self.protocols = protocols
        self.isLazy = lazy
        self.inbound = MultistreamInbound(maxMessageLength: maxMessageLength)
        self.allocator = allocator
    }

    /// Where the negotiation stands, for error reports when the transport closes early.
    public var phase: MultistreamPhase? {
        switch state {
        case .idle, .awaitingHeader: return .awaitingHeader
        case .awaitingReply(let index): return .awaitingReply(proposal: protocols[index])
        case .negotiated, .failed: return nil
        }
    }

    /// Sends the header together with the first proposal.
    public mutating func start() -> [MultistreamAction] {
        guard case .idle = state else {
            preconditionFailure("MultistreamDialer.start() called twice")
        }
        state = .awaitingHeader
        let first = MultistreamMessage.encode(MultistreamMessage.header, protocols[0], allocator: allocator)
        if isLazy {
            return [.send(first), .optimisticallySelected(protocol: protocols[0])]
        }
        return [.send(first)]
    }

    /// Feeds bytes from the peer. Bytes past the final echo come back in `.negotiated(leftover:)`.
    public mutating func receive(_ bytes: ByteBuffer) -> [MultistreamAction] {
        switch state {
        case .idle:
            preconditionFailure("MultistreamDialer.receive(_:) before start()")
        case .negotiated:
            preconditionFailure("MultistreamDialer.receive(_:) after negotiation finished")
        case .failed:
            return []
        case .awaitingHeader, .awaitingReply:
            break
        }
        return processInbound(bytes)
    }

    mutating func handle(_ message: String, actions: inout [MultistreamAction]) -> Bool {
        switch state {
        case .awaitingHeader:
            guard message == MultistreamMessage.header else {
                return fail(.unexpectedHeader(got: message), actions: &actions)
            }
            state = .awaitingReply(proposalIndex: 0)
            return false
        case .awaitingReply(let index):
            answers.append(message)
            if message == protocols[index] {
                state = .negotiated
                actions.append(.negotiated(protocol: message, leftover: inbound.takeLeftover()))
                return true
            }
            guard message == MultistreamMessage.notAvailable else {
                return fail(.unexpectedReply(proposed: protocols[index], got: message), actions: &actions)
            }
            let next = index + 1
            guard next < protocols.count else {
                return fail(.protocolsRejected(proposed: protocols, answers: answers), actions: &actions)
            }
            state = .awaitingReply(proposalIndex: next)
            actions.append(.send(MultistreamMessage.encode(protocols[next], allocator: allocator)))
            return false
        case .idle, .negotiated, .failed:
            preconditionFailure("MultistreamDialer handled a message in a final state")
        }
    }

    private mutating func fail(_ error: MultistreamError, actions: inout [MultistreamAction]) -> Bool {
        state = .failed
        actions.append(.failed(error))
        return true
    }

    mutating func enterFailedState() {
        state = .failed
    }
}
