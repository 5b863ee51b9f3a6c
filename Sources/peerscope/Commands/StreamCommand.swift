import ArgumentParser
import Foundation
import Node
import NIOCore


/// `peerscope stream ADDR PROTOCOL`: a raw stream piped to stdin and stdout, like netcat for one
/// libp2p protocol.
struct StreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Open a stream for PROTOCOL: stdin goes to the peer, the peer's bytes to stdout.",
        discussion: "Our side is half-closed when stdin ends; the command exits when the peer closes its side.")

    @Argument(help: "The peer's multiaddr.")
    var address: String

    @Argument(help: "The protocol ID, e.g. /echo/1.0.0.")
    var protocolID: String

    @OptionGroup var dialOptions: DialOptions

    func run() async throws {
        let target = try DialOptions.parse(address)
        let protocolID = protocolID
        var configuration = try dialOptions.configuration()
        configuration.identifyOnConnect = false
        try await NodeSession.run(
            identityOptions: dialOptions.identityOptions, configuration: configuration, timeLimit: dialOptions.timeLimit
        ) { host in
            let connection = try await host.dial(target)
            let (stream, _) = try await host.newStream(on: connection, protocols: [protocolID])
            try await withThrowingTaskGroup(of: Side.self) { group in
                group.addTask {
                    while let chunk = try await StandardInput.read() {
                        try await stream.write(ByteBuffer(bytes: chunk))
                    }
                    try await stream.closeWrite()
                    return .sent
                }
                group.addTask {
                    while let chunk = try await stream.read() {
                        Output.write(Array(chunk.readableBytesView), to: STDOUT_FILENO)
                    }
                    return .received
                }
                // The peer closing its side ends the command, even while stdin is still open.
                while let side = try await group.next() {
                    if side == .received {
                        group.cancelAll()
                        return
                    }
                }
            }
        }
    }
}

private enum Side: Sendable { case sent, received }

/// stdin, one read at a time on a dispatch thread (a blocking read must not hold a task thread);
/// the next read starts only after the previous chunk was written, so stdin is read no faster
/// than the stream takes it.
enum StandardInput {
    static func read() async throws -> [UInt8]? {
        try Task.checkCancellation()
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var buffer = [UInt8](repeating: 0, count: 64 << 10)
                while true {
                    let count = buffer.withUnsafeMutableBytes { systemRead(STDIN_FILENO, $0.baseAddress, $0.count) }
                    if count < 0 && errno == EINTR { continue }
                    continuation.resume(returning: count > 0 ? Array(buffer[0..<count]) : nil)
                    return
                }
            }
        }
    }
}
