import Core
import NIOCore

/// One bidirectional QUIC stream, for the application: every call hops to the connection's event loop.
/// Dropping the last reference to a stream still open resets it.
final class QUICStream: MuxerStream {
    let id: Int64
    let handle: LoopBoundHandler<QUICConnectionDriver>

    init(id: Int64, handle: LoopBoundHandler<QUICConnectionDriver>) {
        self.id = id
        self.handle = handle
    }

    deinit {
        let id = self.id
        handle.run { $0.release(id) }
    }

    var streamID: UInt64 { UInt64(id) }
    var owningEventLoop: (any EventLoop)? { handle.eventLoop }
    private var detached: QUICStreamError { .connectionClosed("the connection is gone") }

    func read() async throws -> ByteBuffer? { try await handle.read(id, ifDetached: detached) }
    func write(_ data: ByteBuffer) async throws { try await handle.write(id, data, ifDetached: detached) }
    func closeWrite() async throws { try await handle.closeWrite(id, ifDetached: detached) }

    func reset() {
        let id = self.id
        handle.run { $0.reset(id) }
    }
}

/// A QUIC connection as the Host uses it: streams are QUIC's own, no muxer runs on top.
final class QUICConnection: MuxedConnection {
    let handle: LoopBoundHandler<QUICConnectionDriver>
    let closeFuture: EventLoopFuture<Void>
    var eventLoop: any EventLoop { handle.eventLoop }

    init(handle: LoopBoundHandler<QUICConnectionDriver>, closeFuture: EventLoopFuture<Void>) {
        self.handle = handle
        self.closeFuture = closeFuture
    }

    private var detached: QUICStreamError { .connectionClosed("the connection is gone") }

    func openStream() async throws -> any MuxerStream {
        try await handle.suspend(
            ifDetached: .failure(detached), { driver, waiter in driver.openStream(waiter) },
            onCancel: { driver, flag in driver.cancelOpen(flag) })
    }

    func acceptStream() async throws -> (any MuxerStream)? {
        try await handle.suspend(
            ifDetached: .success(nil), { driver, waiter in driver.acceptStream(waiter) },
            onCancel: { driver, flag in driver.cancelAccept(flag) })
    }

    func goAway() { handle.run { $0.goAway() } }

    func close() async {
        handle.run { $0.close(reason: "requested") }
        try? await closeFuture.get()
    }

    func abort() { handle.run { $0.abort() } }

    func snapshotOnEventLoop() -> MuxedSessionSnapshot? { handle.onEventLoop?.snapshot() }
}
