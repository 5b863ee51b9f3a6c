import NIOConcurrencyHelpers
import NIOCore

/// multistream-select on a muxed stream, driven by the same sans-IO state machines as the
/// connection upgrade. The stream returned carries any bytes that arrived behind the last
/// negotiation message, so a peer that pipelines its first request loses nothing.
enum StreamNegotiation {
    /// Listener side: answer proposals until one is supported.
    static func accept(
        on stream: some MuxedStream, supported: @escaping @Sendable (String) -> Bool
    ) async throws -> (protocol: String, stream: NegotiatedStream) {
        var listener = MultistreamListener(matching: supported)
        var pending = listener.start()
        while true {
            for action in pending {
                switch action {
                case .send(let bytes):
                    try await stream.write(bytes)
                case .negotiated(let chosen, let leftover):
                    return (chosen, NegotiatedStream(stream, leftover: leftover))
                case .failed(let error):
                    throw error
                case .optimisticallySelected:
                    break
                }
            }
            guard let chunk = try await stream.read() else {
                throw MultistreamError.closedDuringNegotiation(phase: listener.phase ?? .awaitingProposal)
            }
            pending = listener.receive(chunk)
        }
    }

    /// Dialer side. With exactly one protocol the selection is lazy: header and proposal go out,
    /// the caller may write at once, and the listener's answer is checked on the first read.
    static func select(
        on stream: some MuxedStream, protocols: [String]
    ) async throws -> (protocol: String, stream: NegotiatedStream) {
        let lazy = protocols.count == 1
        var dialer = MultistreamDialer(protocols: protocols, lazy: lazy)
        var pending = dialer.start()
        while true {
            for action in pending {
                switch action {
                case .send(let bytes):
                    try await stream.write(bytes)
                case .optimisticallySelected(let chosen):
                    return (chosen, NegotiatedStream(stream, pendingDialer: dialer))
                case .negotiated(let chosen, let leftover):
                    return (chosen, NegotiatedStream(stream, leftover: leftover))
                case .failed(let error):
                    throw error
                }
            }
            guard let chunk = try await stream.read() else {
                throw MultistreamError.closedDuringNegotiation(phase: dialer.phase ?? .awaitingHeader)
            }
            pending = dialer.receive(chunk)
        }
    }
}

/// A muxed stream after protocol negotiation. Reads first return bytes left over from the
/// negotiation; a lazily selected stream first consumes and checks the listener's header and echo.
public final class NegotiatedStream: MuxedStream {
    private enum ReadState {
        case leftover(ByteBuffer)
        case awaitingConfirmation(MultistreamDialer)
        case passthrough
    }

    public let underlying: any MuxedStream
    private let state: NIOLockedValueBox<ReadState>

    init(_ underlying: some MuxedStream, leftover: ByteBuffer) {
        self.underlying = underlying
        self.state = NIOLockedValueBox(leftover.readableBytes > 0 ? .leftover(leftover) : .passthrough)
    }

    init(_ underlying: some MuxedStream, pendingDialer: MultistreamDialer) {
        self.underlying = underlying
        self.state = NIOLockedValueBox(.awaitingConfirmation(pendingDialer))
    }

    public func read() async throws -> ByteBuffer? {
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
                if case .passthrough = state.withLockedValue({ $0 }) {
                    return try await underlying.read()
                }
                state.withLockedValue { $0 = .awaitingConfirmation(dialer) }
            }
        }
    }

    public func write(_ data: ByteBuffer) async throws { try await underlying.write(data) }
    public func closeWrite() async throws { try await underlying.closeWrite() }
    public func reset() { underlying.reset() }
}
