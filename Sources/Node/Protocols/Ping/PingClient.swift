import NIOCore

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
    /// Each ping must be echoed within `timeout` (rust-libp2p: 20 s), else ``ProtocolTimeoutError``; a wrong
    /// or short echo throws ``PingError``. Any failure, cancellation included, resets the stream.
    /// After the last ping the listener's end of stream is awaited for at most `timeout`; if it does not
    /// come the stream is reset, but the pings already measured still count (nothing is thrown).
    ///
    /// - Parameter onSample: called after every successful ping, before the next one is sent.
    /// - Returns: every round-trip time, in order.
    @discardableResult
    public static func ping(
        _ stream: some MuxedStream,
        count: Int,
        interval: Duration = .seconds(1),
        timeout: Duration = .seconds(20),
        onSample: (Sample) -> Void = { _ in }
    ) async throws -> [Duration] {
        precondition(count >= 0, "ping count must not be negative")
        let reader = MuxedStreamReader(stream)
        var samples: [Duration] = []
        samples.reserveCapacity(count)
        do {
            for index in 0..<count {
                if index > 0 { try await Task.sleep(for: interval) }
                let rtt = try await pingOnce(index: index, stream: stream, reader: reader, timeout: timeout)
                samples.append(rtt)
                onSample(Sample(index: index, roundTripTime: rtt))
            }
            try await stream.closeWrite()
        } catch {
            stream.reset()
            throw error
        }
        await awaitListenerEnd(stream: stream, reader: reader, timeout: timeout)
        return samples
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
        reader: MuxedStreamReader,
        timeout: Duration
    ) async throws -> Duration {
        let payload = randomPayload()
        let (echo, rtt) = try await withTimeout(
            timeout,
            activity: "ping \(index) echo",
            onTimeout: { stream.reset() }
        ) {
            let clock = ContinuousClock()
            let start = clock.now
            try await stream.write(ByteBuffer(bytes: payload))
            do {
                let echo = try await reader.readExactly(PingProtocol.payloadSize)
                return (Array(buffer: echo), clock.now - start)
            } catch MuxedStreamReadError.unexpectedEnd(_, let received) {
                throw PingError.streamEndedBeforeEcho(index: index, received: received)
            }
        }
        guard echo == payload else {
            throw PingError.echoMismatch(index: index, sent: payload, received: echo)
        }
        return rtt
    }

    /// Waits for the listener to finish its side after our FIN; anything else ends in a reset.
    private static func awaitListenerEnd(
        stream: some MuxedStream,
        reader: MuxedStreamReader,
        timeout: Duration
    ) async {
        do {
            _ = try await withTimeout(
                timeout,
                activity: "ping stream close",
                onTimeout: { stream.reset() },
                operation: { try await reader.readToEnd(limit: 0) }
            )
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
