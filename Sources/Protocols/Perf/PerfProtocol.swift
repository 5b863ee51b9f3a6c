import NIOCore
import Core

/// `/perf/1.0.0` (protocols.md §3): the client sends an 8-byte big-endian download size, uploads any
/// number of bytes and closes its side; the server then sends the requested bytes and closes.
public enum PerfProtocol {
    public static let id = "/perf/1.0.0"
    public static let headerSize = 8

    /// The request header for `downloadBytes`.
    public static func header(downloadBytes: UInt64) -> ByteBuffer {
        var header = ByteBuffer()
        header.writeInteger(downloadBytes, endianness: .big)
        return header
    }

    /// The download size in a complete header, nil if `header` holds fewer than 8 bytes.
    static func downloadBytes(in header: ByteBuffer) -> UInt64? {
        header.getInteger(at: header.readerIndex, endianness: .big, as: UInt64.self)
    }
}

/// Perf payload: slices of one zero-filled buffer allocated once per process, so sending a gigabyte
/// allocates nothing per chunk.
enum ZeroChunks {
    static let maxChunkSize = 256 * 1024
    private static let zeros = ByteBuffer(repeating: 0, count: maxChunkSize)

    /// Writes `count` zero bytes to `stream` in chunks of `chunkSize` (at most ``maxChunkSize``),
    /// calling `onChunk` with each chunk's size after it was written.
    static func write(
        _ count: UInt64,
        to stream: some MuxedStream,
        chunkSize: Int,
        onChunk: (Int) -> Void
    ) async throws {
        let size = min(max(1, chunkSize), maxChunkSize)
        var remaining = count
        while remaining > 0 {
            let length = Int(min(UInt64(size), remaining))
            try await stream.write(zeros.getSlice(at: zeros.readerIndex, length: length) ?? ByteBuffer())
            remaining -= UInt64(length)
            onChunk(length)
        }
    }
}
