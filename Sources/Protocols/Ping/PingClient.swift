import NIOConcurrencyHelpers
import NIOCore
import Core

/// The dialer side of ping: sends 32 random bytes, waits for the identical echo, measures the round trip.
public enum PingClient {
    /// One answered ping.
    public struct Sample: Sendable, Equatable {
        /// 0-based position on the stream.
        public let index: Int
        /// From the start of our write to the last echo byte.
        public let roundTripTime: Duration
    }

    /// Sends `count` pings on `stream`, `interval` apart, and half-closes the stream after the last.
    ///
    /// Each ping must be echoed within `timeout` of its send (rust-libp2p: 20 s), else
    /// ``ProtocolTimeoutError``; a wrong or short echo throws ``PingError``. Any failure, cancellation
    /// included, resets the stream. After the last ping the listener's end of stream is awaited for at
    /// most `timeout`; if it does not come the stream is reset, but the pings already measured still
    /// count (nothing is thrown).
    ///
    /// A stream with an event loop (a yamux stream) is pinged from a task running on that loop (see
    /// ``EventLoopTaskExecutor``), so `onSample` runs there too and must be quick.
    ///
    /// - Parameter onSample: called after every successful ping, before the next one is sent.
    /// - Returns: every round-trip time, in order.
    @discardableResult
    public static func ping(
        _ stream: some MuxedStream,
        count: Int,
        interval: Duration = .seconds(1),
        timeout: Duration = .seconds(20),
        onSample: @escaping @Sendable (Sample) -> Void = { _ in }
    ) async throws -> [Duration] {
        precondition(count >= 0, "ping count must not be negative")
        return try await withStreamEventLoopExecutor(stream) {
            try await run(stream, count: count, interval: interval, timeout: timeout, onSample: onSample)
        }
    }

    /// What the pings left behind once the last echo arrived, for the close phase.
    private struct Completed: Sendable {
        var samples: [Duration]
    }

    private static func run(
        _ stream: some MuxedStream,
        count: Int,
        interval: Duration,
        timeout: Duration,
        onSample: @escaping @Sendable (Sample) -> Void
    ) async throws -> [Duration] {
        let reader = MuxedStreamReader(stream)
        // Set once every echo arrived: a timeout after that (waiting for the listener's end) is not a
        // failure of the pings.
        let completed = NIOLockedValueBox<Completed?>(nil)
        do {
            // One idle watchdog for the whole run, re-entered before every send, instead of a timeout
            // (a task group with a timer task) per ping: each echo still has `timeout` from its send.
            return try await withIdleTimeout(
                timeout, activity: "ping 0 echo", onTimeout: { stream.reset() }
            ) { timer in
                var samples: [Duration] = []
                samples.reserveCapacity(count)
                for index in 0..<count {
                    if index > 0 && interval > .zero {
                        timer.enter("ping \(index) echo", after: interval)
                        try await Task.sleep(for: interval)
                    } else {
                        try Task.checkCancellation()
                    }
                    if index > 0 { timer.enter("ping \(index) echo") }
                    let rtt = try await pingOnce(index: index, stream: stream, reader: reader)
                    samples.append(rtt)
                    onSample(Sample(index: index, roundTripTime: rtt))
                }
                try await stream.closeWrite()
                completed.withLockedValue { $0 = Completed(samples: samples) }
                timer.enter("ping stream close")
                await awaitListenerEnd(stream: stream, reader: reader)
                return samples
            }
        } catch {
            stream.reset()
            // The watchdog fired (or the task was cancelled) while waiting for the listener's end.
            if let done = completed.withLockedValue({ $0 }) { return done.samples }
            throw error
        }
    }

    /// The same exchange as ``ping(_:count:interval:timeout:onSample:)``, delivered as an async sequence
    /// of round-trip times. Ending the iteration early cancels the pings (the stream is then reset).
    public static func roundTripTimes(
        _ stream: some MuxedStream,
        count: Int,
        interval: Duration = .seconds(1),
        timeout: Duration = .seconds(20)
    ) -> AsyncThrowingStream<Duration, any Error> {
        let (sequence, continuation) = AsyncThrowingStream.makeStream(of: Duration.self)
        let task = Task {
            do {
                try await ping(stream, count: count, interval: interval, timeout: timeout) { sample in
                    continuation.yield(sample.roundTripTime)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return sequence
    }

    private static func pingOnce(
        index: Int,
        stream: some MuxedStream,
        reader: MuxedStreamReader
    ) async throws -> Duration {
        let payload = randomPayload()
        let clock = ContinuousClock()
        let start = clock.now
        try await stream.write(ByteBuffer(bytes: payload))
        let echo: ByteBuffer
        do {
            echo = try await reader.readExactly(PingProtocol.payloadSize)
        } catch MuxedStreamReadError.unexpectedEnd(_, let received) {
            throw PingError.streamEndedBeforeEcho(index: index, received: received)
        }
        let rtt = clock.now - start
        guard echo.readableBytesView.elementsEqual(payload) else {
            throw PingError.echoMismatch(index: index, sent: payload, received: Array(buffer: echo))
        }
        return rtt
    }

    /// Waits for the listener to finish its side after our FIN; anything else ends in a reset.
    private static func awaitListenerEnd(stream: some MuxedStream, reader: MuxedStreamReader) async {
        do {
            _ = try await reader.readToEnd(limit: 0)
        } catch {
            stream.reset()
        }
    }

    /// Eight bytes per draw: every draw from the system generator is a getrandom system call, and drawing
    /// byte by byte made that 32 calls per ping.
    static func randomPayload() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var payload: [UInt8] = []
        payload.reserveCapacity(PingProtocol.payloadSize)
        while payload.count < PingProtocol.payloadSize {
            let missing = PingProtocol.payloadSize - payload.count
            withUnsafeBytes(of: generator.next()) { payload.append(contentsOf: $0.prefix(missing)) }
        }
        return payload
    }
}
