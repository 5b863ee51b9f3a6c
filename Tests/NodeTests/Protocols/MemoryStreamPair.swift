import NIOConcurrencyHelpers
import NIOCore

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

/// Two connected in-memory ``MuxedStream``s for protocol tests: what one writes, the other reads.
///
/// `chunkSize` caps how many bytes one `read()` returns (1 = byte-at-a-time delivery); `capacity`
/// bounds the bytes buffered per direction: a write returns only once the buffer is back at or below
/// it, like a muxer waiting for flow-control credit.
struct MemoryStreamPair {
    let dialer: MemoryStream
    let listener: MemoryStream

    init(chunkSize: Int? = nil, capacity: Int = 1 << 20) {
        let toListener = MemoryPipe(chunkSize: chunkSize, capacity: capacity)
        let toDialer = MemoryPipe(chunkSize: chunkSize, capacity: capacity)
        dialer = MemoryStream(inbound: toDialer, outbound: toListener)
        listener = MemoryStream(inbound: toListener, outbound: toDialer)
    }
}

enum MemoryStreamError: Error, Equatable {
    case reset
    case writeAfterClose
}

struct MemoryStream: MuxedStream {
    let inbound: MemoryPipe
    let outbound: MemoryPipe

    func read() async throws -> ByteBuffer? { try await inbound.read() }
    func write(_ data: ByteBuffer) async throws { try await outbound.write(data) }
    func closeWrite() async throws { try outbound.finish() }

    func reset() {
        inbound.reset()
        outbound.reset()
    }

    /// Either side reset the stream.
    var wasReset: Bool { outbound.isReset }
    /// Whether this side half-closed.
    var didCloseWrite: Bool { outbound.isFinished }
    /// Number of non-empty `write` calls this side made.
    var writeCount: Int { outbound.writeCount }
}

/// One direction of a ``MemoryStreamPair``.
final class MemoryPipe: Sendable {
    private typealias ReadContinuation = CheckedContinuation<ByteBuffer?, any Error>
    private typealias WriteContinuation = CheckedContinuation<Void, any Error>

    private struct State {
        var pending = ByteBuffer()
        var finished = false
        var isReset = false
        var writeCount = 0
        var reader: (id: Int, continuation: ReadContinuation)?
        var writers: [(id: Int, continuation: WriteContinuation)] = []
        var nextID = 0

        mutating func makeID() -> Int {
            nextID += 1
            return nextID
        }
    }

    private let chunkSize: Int?
    private let capacity: Int
    private let state = NIOLockedValueBox(State())

    init(chunkSize: Int?, capacity: Int) {
        precondition(chunkSize.map { $0 > 0 } ?? true)
        self.chunkSize = chunkSize
        self.capacity = capacity
    }

    var isReset: Bool { state.withLockedValue { $0.isReset } }
    var isFinished: Bool { state.withLockedValue { $0.finished } }
    var writeCount: Int { state.withLockedValue { $0.writeCount } }
    /// Bytes written and not yet read.
    var bufferedByteCount: Int { state.withLockedValue { $0.pending.readableBytes } }

    func read() async throws -> ByteBuffer? {
        let id = state.withLockedValue { $0.makeID() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: ReadContinuation) in
                let outcome: Result<ByteBuffer?, any Error>?
                let wake: [WriteContinuation]
                (outcome, wake) = state.withLockedValue { state in
                    if state.isReset { return (.failure(MemoryStreamError.reset), []) }
                    if state.pending.readableBytes > 0 {
                        let chunk = takeChunk(&state)
                        return (.success(chunk), releasedWriters(&state))
                    }
                    if state.finished { return (.success(nil), []) }
                    if Task.isCancelled { return (.failure(CancellationError()), []) }
                    precondition(state.reader == nil, "one reader at a time")
                    state.reader = (id, continuation)
                    return (nil, [])
                }
                wake.forEach { $0.resume() }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiting = state.withLockedValue { state -> ReadContinuation? in
                guard let reader = state.reader, reader.id == id else { return nil }
                state.reader = nil
                return reader.continuation
            }
            waiting?.resume(throwing: CancellationError())
        }
    }

    func write(_ data: ByteBuffer) async throws {
        let id = state.withLockedValue { $0.makeID() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: WriteContinuation) in
                let outcome: Result<Void, any Error>?
                let delivery: (ReadContinuation, ByteBuffer)?
                (outcome, delivery) = state.withLockedValue { state in
                    if state.isReset { return (.failure(MemoryStreamError.reset), nil) }
                    if state.finished { return (.failure(MemoryStreamError.writeAfterClose), nil) }
                    guard data.readableBytes > 0 else { return (.success(()), nil) }
                    var data = data
                    state.writeCount += 1
                    state.pending.writeBuffer(&data)
                    var delivery: (ReadContinuation, ByteBuffer)?
                    if let reader = state.reader {
                        state.reader = nil
                        delivery = (reader.continuation, takeChunk(&state))
                    }
                    if state.pending.readableBytes <= capacity { return (.success(()), delivery) }
                    if Task.isCancelled { return (.failure(CancellationError()), delivery) }
                    state.writers.append((id, continuation))
                    return (nil, delivery)
                }
                if let (reader, chunk) = delivery { reader.resume(returning: chunk) }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiting = state.withLockedValue { state -> WriteContinuation? in
                guard let index = state.writers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.writers.remove(at: index).continuation
            }
            waiting?.resume(throwing: CancellationError())
        }
    }

    func finish() throws {
        let waiting = try state.withLockedValue { state -> ReadContinuation? in
            if state.isReset { throw MemoryStreamError.reset }
            state.finished = true
            guard state.pending.readableBytes == 0, let reader = state.reader else { return nil }
            state.reader = nil
            return reader.continuation
        }
        waiting?.resume(returning: nil)
    }

    func reset() {
        let (reader, writers) = state.withLockedValue { state in
            state.isReset = true
            state.pending.clear()
            defer {
                state.reader = nil
                state.writers = []
            }
            return (state.reader?.continuation, state.writers.map(\.continuation))
        }
        reader?.resume(throwing: MemoryStreamError.reset)
        writers.forEach { $0.resume(throwing: MemoryStreamError.reset) }
    }

    private func takeChunk(_ state: inout State) -> ByteBuffer {
        let length = min(chunkSize ?? .max, state.pending.readableBytes)
        let chunk = state.pending.readSlice(length: length) ?? ByteBuffer()
        if state.pending.readableBytes == 0 {
            state.pending.clear()
        } else if state.pending.readerIndex > 64 * 1024 {
            state.pending.discardReadBytes()
        }
        return chunk
    }

    private func releasedWriters(_ state: inout State) -> [WriteContinuation] {
        guard state.pending.readableBytes <= capacity else { return [] }
        defer { state.writers = [] }
        return state.writers.map(\.continuation)
    }
}
