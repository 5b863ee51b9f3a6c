import NIOConcurrencyHelpers
import NIOCore
import Core
import Multistream
import Protocols
import Yamux

/// multistream-select on a muxed stream, driven by the same sans-IO state machines as the
/// connection upgrade. The stream returned carries any bytes that arrived behind the last
/// negotiation message, so a peer that pipelines its first request loses nothing.
///
/// An inbound stream's task keeps every task-allocator slab its deepest call chain needed for as
/// long as the handler holds the stream, so the loops here keep their async frames small: the state
/// machine and its actions live in a `NegotiationDriver`, and only a pointer crosses the awaits. The
/// stream is an existential on purpose: specialized for a concrete stream type, its read and write would be
/// inlined here and bring their locals into this frame.
enum StreamNegotiation {
    /// Listener side: answer proposals until one is supported.
    static func accept(
        on stream: any MuxedStream, supported: @escaping @Sendable (String) -> Bool
    ) async throws -> (protocol: String, stream: NegotiatedStream) {
        let driver = NegotiationDriver(on: stream, listenerMatching: supported)
        await driver.run()
        return try driver.result()
    }

    /// Dialer side. With exactly one protocol the selection is lazy: header and proposal go out,
    /// the caller may write at once, and the listener's answer is checked on the first read.
    static func select(
        on stream: any MuxedStream, protocols: [String]
    ) async throws -> (protocol: String, stream: NegotiatedStream) {
        let driver = NegotiationDriver(on: stream, dialerProposing: protocols)
        await driver.run()
        return try driver.result()
    }
}

/// The two multistream state machines as `StreamNegotiation` drives them.
protocol StreamNegotiationMachine {
    mutating func start() -> [MultistreamAction]
    mutating func receive(_ bytes: ByteBuffer) -> [MultistreamAction]
    var phase: MultistreamPhase? { get }
    /// The stream handed on after `.optimisticallySelected`: it checks the rest of the answer on read.
    func optimisticallySelectedStream(over stream: any MuxedStream) -> NegotiatedStream
}

extension NegotiationDriver where Machine == MultistreamListener {
    convenience init(on stream: any MuxedStream, listenerMatching supported: @escaping @Sendable (String) -> Bool) {
        self.init(MultistreamListener(matching: supported), on: stream, closedPhase: .awaitingProposal)
    }
}

extension NegotiationDriver where Machine == MultistreamDialer {
    convenience init(on stream: any MuxedStream, dialerProposing protocols: [String]) {
        self.init(MultistreamDialer(protocols: protocols, lazy: protocols.count == 1), on: stream,
                  closedPhase: .awaitingHeader)
    }
}

extension MultistreamListener: StreamNegotiationMachine {
    func optimisticallySelectedStream(over stream: any MuxedStream) -> NegotiatedStream {
        preconditionFailure("a multistream listener never selects optimistically")
    }
}

extension MultistreamDialer: StreamNegotiationMachine {
    func optimisticallySelectedStream(over stream: any MuxedStream) -> NegotiatedStream {
        NegotiatedStream(stream, pendingDialer: self)
    }
}

/// One stream's negotiation between two awaits: the machine, the bytes it wants sent (all messages
/// of one step go out as one write), how it ended, and the deadline it runs under. Used by one task
/// only. The synchronous steps are kept out of line so their temporaries stay off `run`'s frame.
final class NegotiationDriver<Machine: StreamNegotiationMachine> {
    private enum Outcome {
        case needsInput
        case optimisticallySelected(String)
        case negotiated(String, leftover: ByteBuffer)
        case failed(any Error)
    }

    /// Kept here rather than passed to `run`: an argument of a concrete type would let the optimizer
    /// specialize `run` for it and inline the stream's read and write, whose locals then sit in
    /// `run`'s frame.
    let stream: any MuxedStream
    private var machine: Machine
    private var bytesToSend: ByteBuffer?
    private var outcome = Outcome.needsInput
    /// Set by the caller before `run`; `disarmDeadline()` stops it.
    var deadline: EventLoopDeadline?
    /// The phase reported when the peer closes before the machine has reported one.
    private let closedPhase: MultistreamPhase

    init(_ machine: Machine, on stream: any MuxedStream, closedPhase: MultistreamPhase) {
        self.stream = stream
        self.machine = machine
        self.closedPhase = closedPhase
        apply(self.machine.start())
    }

    /// Reads and writes until the negotiation ends (a stream error ends it too); then `result()` says
    /// how. Only `self` lives across the awaits. Never inlined: the frame of whatever called it would
    /// grow by this loop's locals.
    @inline(never)
    func run() async {
        do {
            while true {
                if let bytes = takeBytesToSend() { try await stream.write(bytes) }
                guard needsInput else { return }
                receive(try await stream.read())
            }
        } catch {
            fail(error)
        }
    }

    /// Stops the deadline; true if it fired first (the stream was reset under the negotiation).
    func disarmDeadline() -> Bool {
        deadline?.disarm() ?? false
    }

    private var needsInput: Bool {
        if case .needsInput = outcome { return true }
        return false
    }

    @inline(never)
    private func fail(_ error: any Error) {
        outcome = .failed(error)
    }

    /// Feeds the next read; nil is the peer's end of stream.
    @inline(never)
    private func receive(_ chunk: ByteBuffer?) {
        guard let chunk else {
            outcome = .failed(MultistreamError.closedDuringNegotiation(phase: machine.phase ?? closedPhase))
            return
        }
        apply(machine.receive(chunk))
    }

    @inline(never)
    private func takeBytesToSend() -> ByteBuffer? {
        defer { bytesToSend = nil }
        return bytesToSend
    }

    /// The chosen protocol and the stream to hand on, once `run()` has returned.
    func result() throws -> (protocol: String, stream: NegotiatedStream) {
        switch outcome {
        case .needsInput:
            preconditionFailure("NegotiationDriver.result() before the negotiation ended")
        case .optimisticallySelected(let chosen):
            return (chosen, machine.optimisticallySelectedStream(over: stream))
        case .negotiated(let chosen, let leftover):
            return (chosen, NegotiatedStream(stream, leftover: leftover))
        case .failed(let error):
            throw error
        }
    }

    /// Folds one step's actions: sends in order into one buffer, up to the first final action (the
    /// loop never sent anything after one either).
    @inline(never)
    private func apply(_ actions: [MultistreamAction]) {
        for action in actions {
            switch action {
            case .send(var bytes):
                if bytesToSend == nil {
                    bytesToSend = bytes
                } else {
                    bytesToSend?.writeBuffer(&bytes)
                }
            case .optimisticallySelected(let chosen):
                outcome = .optimisticallySelected(chosen)
                return
            case .negotiated(let chosen, let leftover):
                outcome = .negotiated(chosen, leftover: leftover)
                return
            case .failed(let error):
                outcome = .failed(error)
                return
            }
        }
    }
}

/// A muxed stream after protocol negotiation. Reads first return bytes left over from the
/// negotiation; a lazily selected stream first consumes and checks the listener's header and echo.
///
/// A stream with nothing pending (the usual inbound case) has no read state at all, and its `read`
/// is a plain forward whose async frame stays small: a handler parked in it keeps that frame for
/// the stream's whole life.
public final class NegotiatedStream: MuxedStream {
    private enum ReadState {
        case leftover(ByteBuffer)
        indirect case awaitingConfirmation(MultistreamDialer)
        case passthrough

        var isPassthrough: Bool {
            if case .passthrough = self { return true }
            return false
        }
    }

    public let underlying: any MuxedStream
    /// nil when nothing was pending at creation: every read goes straight to `underlying`.
    private let state: NIOLockedValueBox<ReadState>?

    init(_ underlying: some MuxedStream, leftover: ByteBuffer) {
        self.underlying = underlying
        self.state = leftover.readableBytes > 0 ? NIOLockedValueBox(.leftover(leftover)) : nil
    }

    init(_ underlying: some MuxedStream, pendingDialer: MultistreamDialer) {
        self.underlying = underlying
        self.state = NIOLockedValueBox(.awaitingConfirmation(pendingDialer))
    }

    public func read() async throws -> ByteBuffer? {
        if let state, !state.withLockedValue({ $0.isPassthrough }) {
            return try await readPending(state)
        }
        return try await underlying.read()
    }

    @inline(never)
    private func readPending(_ state: NIOLockedValueBox<ReadState>) async throws -> ByteBuffer? {
        switch state.withLockedValue({ $0 }) {
        case .leftover(let bytes):
            state.withLockedValue { $0 = .passthrough }
            return bytes
        case .passthrough:
            return try await underlying.read()
        case .awaitingConfirmation(var dialer):
            while true {
                guard let chunk = try await underlying.read() else {
                    throw MultistreamError.closedDuringNegotiation(phase: dialer.phase ?? .awaitingHeader)
                }
                for action in dialer.receive(chunk) {
                    switch action {
                    case .negotiated(_, let leftover):
                        state.withLockedValue { $0 = .passthrough }
                        if leftover.readableBytes > 0 { return leftover }
                    case .failed(let error):
                        underlying.reset()
                        throw error
                    case .send, .optimisticallySelected:
                        break
                    }
                }
                if state.withLockedValue({ $0.isPassthrough }) {
                    return try await underlying.read()
                }
                state.withLockedValue { $0 = .awaitingConfirmation(dialer) }
            }
        }
    }

    public var owningEventLoop: (any EventLoop)? { underlying.owningEventLoop }
    public func write(_ data: ByteBuffer) async throws { try await underlying.write(data) }
    public func closeWrite() async throws { try await underlying.closeWrite() }
    public func reset() { underlying.reset() }
}
