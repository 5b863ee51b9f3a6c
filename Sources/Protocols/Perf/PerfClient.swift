import NIOCore
import Core

/// The outcome of one perf run.
public struct PerfResult: Sendable, Equatable {
    public var uploadedBytes: UInt64
    public var downloadedBytes: UInt64
    /// From the first header byte written to our close of the write side.
    public var uploadDuration: Duration
    /// From our close of the write side to the server's end of stream.
    public var downloadDuration: Duration

    public var uploadSeconds: Double { uploadDuration.seconds }
    public var downloadSeconds: Double { downloadDuration.seconds }
}

/// The client side of perf.
public enum PerfClient {
    public enum Phase: Sendable, Equatable {
        case upload
        case download
    }

    /// Bytes moved so far in the current phase, reported after every chunk.
    public struct Progress: Sendable, Equatable {
        public var phase: Phase
        public var bytes: UInt64
        /// Bytes this phase will move in total.
        public var total: UInt64
        /// Since the phase began.
        public var elapsed: Duration
    }

    /// Asks for `download` bytes, uploads `upload` zero bytes, closes our side and reads until the
    /// server closes, checking the count.
    ///
    /// - Throws: ``PerfError/downloadTooShort(expected:received:)`` or
    ///   ``PerfError/downloadTooLong(expected:receivedAtLeast:)`` (both reset the stream),
    ///   ``ProtocolTimeoutError`` after `idleTimeout` without progress, or the stream's error.
    public static func run(
        _ stream: some MuxedStream,
        upload: UInt64,
        download: UInt64,
        chunkSize: Int = 256 * 1024,
        idleTimeout: Duration = .seconds(30),
        progress: @escaping @Sendable (Progress) -> Void = { _ in }
    ) async throws -> PerfResult {
        let reader = MuxedStreamReader(stream)
        do {
            return try await withIdleTimeout(idleTimeout, activity: "perf upload", onTimeout: { stream.reset() }) {
                timer in
                let clock = ContinuousClock()
                let uploadStart = clock.now
                try await stream.write(PerfProtocol.header(downloadBytes: download))
                var uploaded: UInt64 = 0
                try await ZeroChunks.write(upload, to: stream, chunkSize: chunkSize) { length in
                    timer.touch()
                    uploaded += UInt64(length)
                    progress(Progress(phase: .upload, bytes: uploaded, total: upload, elapsed: clock.now - uploadStart))
                }
                try await stream.closeWrite()
                let downloadStart = clock.now

                timer.enter("perf download")
                var downloaded: UInt64 = 0
                try await reader.drainToEnd { length in
                    timer.touch()
                    downloaded += UInt64(length)
                    guard downloaded <= download else {
                        throw PerfError.downloadTooLong(expected: download, receivedAtLeast: downloaded)
                    }
                    progress(
                        Progress(phase: .download, bytes: downloaded, total: download, elapsed: clock.now - downloadStart)
                    )
                }
                guard downloaded == download else {
                    throw PerfError.downloadTooShort(expected: download, received: downloaded)
                }
                return PerfResult(
                    uploadedBytes: upload,
                    downloadedBytes: downloaded,
                    uploadDuration: downloadStart - uploadStart,
                    downloadDuration: clock.now - downloadStart
                )
            }
        } catch let error as PerfError {
            stream.reset()
            throw error
        }
    }
}
