import NIOCore
import Core

/// The server side of perf. The spec says not to enable it by default: it makes this node do work on
/// request; the host decides whether to register it.
public struct PerfServer: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// Largest download honoured; bigger requests reset the stream (default 64 GiB).
        public var maxDownloadBytes: UInt64
        /// Longest time without progress in any phase.
        public var idleTimeout: Duration
        /// Size of each write (capped at 256 KiB).
        public var chunkSize: Int

        public init(maxDownloadBytes: UInt64 = 64 << 30, idleTimeout: Duration = .seconds(30), chunkSize: Int = 256 * 1024) {
            self.maxDownloadBytes = maxDownloadBytes
            self.idleTimeout = idleTimeout
            self.chunkSize = chunkSize
        }
    }

    /// What one served request amounted to.
    public struct Report: Sendable, Equatable {
        public var requestedBytes: UInt64
        public var receivedBytes: UInt64
        public var sentBytes: UInt64
    }

    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Reads the request, drains the upload until the client closes, only then sends the requested
    /// bytes and closes.
    ///
    /// - Throws: ``PerfError/truncatedHeader(received:)``, ``PerfError/requestExceedsLimit(requested:limit:)``
    ///   (both reset the stream), ``ProtocolTimeoutError`` after `idleTimeout` without progress, or the
    ///   stream's error.
    @discardableResult
    public func serve(_ stream: some MuxedStream) async throws -> Report {
        let configuration = self.configuration
        let reader = MuxedStreamReader(stream)
        do {
            return try await withIdleTimeout(
                configuration.idleTimeout,
                activity: "perf request header",
                onTimeout: { stream.reset() }
            ) { timer in
                let requested = try await Self.readRequest(from: reader)
                guard requested <= configuration.maxDownloadBytes else {
                    throw PerfError.requestExceedsLimit(requested: requested, limit: configuration.maxDownloadBytes)
                }
                timer.enter("perf upload")
                let received = try await reader.drainToEnd { _ in timer.touch() }
                timer.enter("perf download")
                try await ZeroChunks.write(requested, to: stream, chunkSize: configuration.chunkSize) { _ in
                    timer.touch()
                }
                try await stream.closeWrite()
                return Report(requestedBytes: requested, receivedBytes: received, sentBytes: requested)
            }
        } catch let error as PerfError {
            stream.reset()
            throw error
        }
    }

    private static func readRequest(from reader: MuxedStreamReader) async throws -> UInt64 {
        let header: ByteBuffer
        do {
            header = try await reader.readExactly(PerfProtocol.headerSize)
        } catch MuxedStreamReadError.unexpectedEnd(_, let received) {
            throw PerfError.truncatedHeader(received: received)
        }
        guard let requested = PerfProtocol.downloadBytes(in: header) else {
            preconditionFailure("readExactly returned fewer than \(PerfProtocol.headerSize) bytes")
        }
        return requested
    }
}
