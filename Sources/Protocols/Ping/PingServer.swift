import NIOCore
import Core

/// The listener side of ping: echoes 32-byte blocks until the dialer finishes, then closes.
public struct PingServer: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// Longest wait for the next complete ping (go-libp2p: 10 s).
        public var idleTimeout: Duration
        /// Longest lifetime of one ping stream (go-libp2p: 30 s).
        public var streamTimeout: Duration

        public init(idleTimeout: Duration = .seconds(10), streamTimeout: Duration = .seconds(30)) {
            self.idleTimeout = idleTimeout
            self.streamTimeout = streamTimeout
        }
    }

    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Answers pings on `stream` until the dialer closes its side; returns how many were echoed.
    ///
    /// On a timeout or a truncated ping the stream is reset and the error thrown
    /// (``ProtocolTimeoutError`` or ``PingError/truncatedPing(received:)``).
    @discardableResult
    public func serve(_ stream: some MuxedStream) async throws -> Int {
        // Latency-bound: runs on the stream's event loop, so an echo is not a thread hand-off each way.
        try await withStreamEventLoopExecutor(stream) {
            try await serveOnCurrentExecutor(stream)
        }
    }

    private func serveOnCurrentExecutor(_ stream: some MuxedStream) async throws -> Int {
        let reader = MuxedStreamReader(stream)
        do {
            // One watchdog for the whole stream: the lifetime bound, and the idle bound re-armed after
            // every echo (a timeout per ping would start and cancel a timer task on every round trip).
            return try await withIdleTimeout(
                configuration.idleTimeout,
                totalLimit: configuration.streamTimeout,
                totalActivity: "ping stream",
                activity: "waiting for ping 0",
                onTimeout: { stream.reset() }
            ) { timer in
                var echoed = 0
                while let ping = try await Self.nextPing(from: reader) {
                    try await stream.write(ping)
                    echoed += 1
                    timer.enter("waiting for ping \(echoed)")
                }
                try await stream.closeWrite()
                return echoed
            }
        } catch let error as PingError {
            stream.reset()
            throw error
        }
    }

    /// The next 32 bytes, or nil if the dialer finished between pings.
    private static func nextPing(from reader: MuxedStreamReader) async throws -> ByteBuffer? {
        do {
            return try await reader.readExactly(PingProtocol.payloadSize)
        } catch MuxedStreamReadError.unexpectedEnd(_, let received) {
            if received == 0 { return nil }
            throw PingError.truncatedPing(received: received)
        }
    }
}
