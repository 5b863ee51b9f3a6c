import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import Core
@testable import Events
@testable import Identity
@testable import Multiformats
@testable import Multistream
@testable import Node
@testable import Noise
@testable import Protocols
@testable import TCP
@testable import Upgrade
@testable import Yamux

@Suite struct PerfTests {
    @Test func requestHeaderIsEightBytesBigEndian() {
        #expect(Array(buffer: PerfProtocol.header(downloadBytes: 1 << 20)) == [0, 0, 0, 0, 0, 0x10, 0, 0])
        #expect(Array(buffer: PerfProtocol.header(downloadBytes: .max)) == Array(repeating: 0xff, count: 8))
        #expect(PerfProtocol.downloadBytes(in: ByteBuffer(bytes: [0, 0, 0, 0, 0, 0x10, 0, 0])) == 1 << 20)
        #expect(PerfProtocol.downloadBytes(in: ByteBuffer(bytes: [0, 0, 0])) == nil)
    }

    @Test(arguments: [(0, 0), (1 << 20 + 13, 0), (0, 3 << 20 + 7), (200_001, 1_000_003)] as [(UInt64, UInt64)])
    func bytesAreCountedInBothDirections(upload: UInt64, download: UInt64) async throws {
        let pair = MemoryStreamPair(chunkSize: 10_000, capacity: 64 * 1024)
        let report = Task { try await PerfServer().serve(pair.listener) }
        let progress = NIOLockedValueBox<[PerfClient.Progress]>([])
        let result = try await PerfClient.run(pair.dialer, upload: upload, download: download) { step in
            progress.withLockedValue { $0.append(step) }
        }
        #expect(try await report.value == PerfServer.Report(requestedBytes: download, receivedBytes: upload, sentBytes: download))
        #expect(result.uploadedBytes == upload && result.downloadedBytes == download)
        #expect(result.uploadSeconds >= 0 && result.downloadSeconds >= 0)

        let steps = progress.withLockedValue { $0 }
        let uploads = steps.filter { $0.phase == .upload }.map(\.bytes)
        let downloads = steps.filter { $0.phase == .download }.map(\.bytes)
        #expect(uploads == uploads.sorted() && (uploads.last ?? 0) == upload)
        #expect(downloads == downloads.sorted() && (downloads.last ?? 0) == download)
        #expect(pair.dialer.didCloseWrite && pair.listener.didCloseWrite)
    }

    @Test func serverWritesLargeChunks() async throws {
        let pair = MemoryStreamPair()
        let report = Task { try await PerfServer(configuration: .init(chunkSize: 128 * 1024)).serve(pair.listener) }
        let result = try await PerfClient.run(pair.dialer, upload: 0, download: 1 << 20)
        _ = try await report.value
        #expect(result.downloadedBytes == 1 << 20)
        #expect(pair.listener.writeCount == 8)
    }

    @Test func serverRefusesRequestsOverItsLimit() async throws {
        let pair = MemoryStreamPair()
        let report = Task { try await PerfServer(configuration: .init(maxDownloadBytes: 1000)).serve(pair.listener) }
        await #expect(throws: MemoryStreamError.reset) {
            try await PerfClient.run(pair.dialer, upload: 0, download: 1001)
        }
        await #expect(throws: PerfError.requestExceedsLimit(requested: 1001, limit: 1000)) { try await report.value }
        #expect(PerfError.requestExceedsLimit(requested: 1001, limit: 1000).description.contains("limit of 1000 bytes"))
    }

    @Test func serverHonoursRequestsUpToItsLimit() async throws {
        let pair = MemoryStreamPair()
        let report = Task { try await PerfServer(configuration: .init(maxDownloadBytes: 1000)).serve(pair.listener) }
        let result = try await PerfClient.run(pair.dialer, upload: 10, download: 1000)
        #expect(result.downloadedBytes == 1000)
        #expect(try await report.value.sentBytes == 1000)
    }

    @Test func truncatedHeaderIsAnError() async throws {
        let pair = MemoryStreamPair()
        let report = Task { try await PerfServer().serve(pair.listener) }
        try await pair.dialer.write(ByteBuffer(bytes: [0, 0, 1]))
        try await pair.dialer.closeWrite()
        await #expect(throws: PerfError.truncatedHeader(received: 3)) { try await report.value }
        #expect(pair.dialer.wasReset)
    }

    @Test(arguments: [
        (99, PerfError.downloadTooShort(expected: 100, received: 99)),
        (101, PerfError.downloadTooLong(expected: 100, receivedAtLeast: 101)),
    ])
    func downloadOfTheWrongSizeIsAnError(sent: Int, expected: PerfError) async throws {
        let pair = MemoryStreamPair()
        let fake = Task { try await shortchangingServer(pair.listener, sending: sent) }
        await #expect(throws: expected) {
            try await PerfClient.run(pair.dialer, upload: 5, download: 100)
        }
        _ = try? await fake.value
        #expect(pair.listener.wasReset)
    }

    @Test func serverTimesOutWaitingForTheHeader() async throws {
        let pair = MemoryStreamPair()
        let server = PerfServer(configuration: .init(idleTimeout: .milliseconds(80)))
        await #expect(throws: ProtocolTimeoutError(activity: "perf request header", limit: .milliseconds(80))) {
            try await server.serve(pair.listener)
        }
        #expect(pair.dialer.wasReset)
    }

    @Test func serverTimesOutOnAStalledUpload() async throws {
        let pair = MemoryStreamPair()
        let server = PerfServer(configuration: .init(idleTimeout: .seconds(1)))
        try await pair.dialer.write(PerfProtocol.header(downloadBytes: 10))
        await #expect(throws: ProtocolTimeoutError(activity: "perf upload", limit: .seconds(1))) {
            try await server.serve(pair.listener)
        }
    }

    @Test func clientTimesOutOnAStalledDownload() async throws {
        let pair = MemoryStreamPair()
        await #expect(throws: ProtocolTimeoutError(activity: "perf download", limit: .seconds(1))) {
            try await PerfClient.run(pair.dialer, upload: 0, download: 10, idleTimeout: .seconds(1))
        }
        #expect(pair.listener.wasReset)
    }

    @Test func clientTimesOutWhenUploadGetsNoCredit() async throws {
        let pair = MemoryStreamPair(capacity: 1000)
        await #expect(throws: ProtocolTimeoutError(activity: "perf upload", limit: .milliseconds(80))) {
            try await PerfClient.run(pair.dialer, upload: 100_000, download: 0, idleTimeout: .milliseconds(80))
        }
    }

    /// Reads a perf request like a server, then sends `count` bytes regardless of what was asked.
    private func shortchangingServer(_ stream: MemoryStream, sending count: Int) async throws {
        let reader = MuxedStreamReader(stream)
        _ = try await reader.readExactly(PerfProtocol.headerSize)
        try await reader.drainToEnd()
        try await stream.write(ByteBuffer(repeating: 0, count: count))
        try await stream.closeWrite()
    }
}
