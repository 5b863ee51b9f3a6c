import NIOCore
import NIOEmbedded
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

/// Records connection events on the event loop they are delivered on; read back through that loop.
final class EventRecorder<Event: Sendable>: Sendable {
    private let eventLoop: any EventLoop
    private let box: NIOLoopBoundBox<[Event]>

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.box = .makeBoxSendingValue([], eventLoop: eventLoop)
    }

    var record: @Sendable (Event) -> Void {
        { [box] event in box.value.append(event) }
    }

    func events() async throws -> [Event] {
        try await eventLoop.submit { [box] in box.value }.get()
    }
}

/// A yamux handler on an `NIOAsyncTestingChannel`: we play the peer by writing frames inbound and reading
/// the handler's frames outbound.
struct YamuxTestChannel {
    let channel: NIOAsyncTestingChannel
    let connection: YamuxConnection
    let recorder: EventRecorder<YamuxConnectionEvent>

    static var quietConfiguration: YamuxConfiguration {
        var configuration = YamuxConfiguration()
        configuration.keepAliveInterval = nil
        return configuration
    }

    static func make(role: YamuxRole, configuration: YamuxConfiguration = quietConfiguration) async throws -> Self {
        let channel = NIOAsyncTestingChannel()
        let recorder = EventRecorder<YamuxConnectionEvent>(eventLoop: channel.eventLoop)
        let connection = try await channel.testingEventLoop.executeInContext {
            try channel.pipeline.syncOperations.addYamuxHandler(
                role: role, configuration: configuration, onEvent: recorder.record)
        }
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4001))
        return YamuxTestChannel(channel: channel, connection: connection, recorder: recorder)
    }

    func feed(_ bytes: ByteBuffer) async throws {
        try await channel.writeInbound(bytes)
    }

    /// The next write of the handler, split into frames.
    func nextFrames() async throws -> [DecodedFrame] {
        try decodeFrames(try await channel.waitForOutboundWrite(as: ByteBuffer.self))
    }

    /// Frames written so far (after letting the loop run), possibly none.
    func pendingFrames() async throws -> [DecodedFrame] {
        await channel.testingEventLoop.run()
        var frames: [DecodedFrame] = []
        while let write = try await channel.readOutbound(as: ByteBuffer.self) { frames += try decodeFrames(write) }
        return frames
    }

    func events() async throws -> [YamuxConnectionEvent] { try await recorder.events() }

    func setWritable(_ writable: Bool) async throws {
        try await channel.testingEventLoop.executeInContext {
            channel.isWritable = writable
            channel.pipeline.fireChannelWritabilityChanged()
        }
    }
}

/// Polls `condition` on the test side until it holds (bounded), for state reached asynchronously.
func eventually(
    _ condition: () async throws -> Bool, timeout: Duration = .seconds(10),
    sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(2))
    }
    Issue.record("condition not reached within \(timeout)", sourceLocation: sourceLocation)
}
