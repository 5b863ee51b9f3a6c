import Core
import NIOCore

/// Sits below the TLS handler during the handshake and reports each record that passes, both ways;
/// leaves the pipeline once the handshake is over, so it costs nothing afterwards.
final class TLSRecordObserver: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var inbound = TLSRecordScanner()
    private var outbound = TLSRecordScanner()
    private var number = 0
    private let report: (SecurityHandshakeMessage) -> Void

    init(report: @escaping (SecurityHandshakeMessage) -> Void) {
        self.report = report
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        emit(inbound.scan(buffer.readableBytesView), direction: .received)
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = unwrapOutboundIn(data)
        emit(outbound.scan(buffer.readableBytesView), direction: .sent)
        context.write(data, promise: promise)
    }

    private func emit(_ records: [TLSRecordScanner.Record], direction: SecurityHandshakeMessage.Direction) {
        for record in records {
            number += 1
            report(SecurityHandshakeMessage(
                protocolName: "tls", direction: direction, number: number, content: record.content, bytes: record.bytes))
        }
    }
}
