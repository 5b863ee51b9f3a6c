import NIOCore
import Node

/// Runs `AppCommand`s against the node and posts what happened back to the UI.
final class CommandExecutor: Sendable {
    let host: Host
    let mailbox: Mailbox
    private let streams = StreamHolder()

    init(host: Host, mailbox: Mailbox) {
        self.host = host
        self.mailbox = mailbox
    }

    func run(_ command: AppCommand) {
        Task { await self.execute(command) }
    }

    private func report(_ result: CommandResult) { mailbox.post(.commandResult(result)) }

    private func connection(_ id: ConnectionID) -> HostConnection? {
        guard let connection = host.connection(id) else {
            report(.error("\(id) is no longer open"))
            return nil
        }
        return connection
    }

    func execute(_ command: AppCommand) async {
        do {
            switch command {
            case .quit: return
            case .dial(let address):
                let connection = try await host.dial(address)
                report(.info("connected to \(connection.peer.shortDescription) as \(connection.id)"))
            case .listen(let address):
                let bound = try await host.listen(address)
                report(.info("listening on \(bound)"))
            case .ping(let id, let count):
                guard let connection = connection(id) else { return }
                let rtts = try await host.ping(connection, count: count, interval: .milliseconds(500))
                report(.info("ping \(id): \(rtts.map(Format.duration).joined(separator: " "))"))
            case .identify(let id):
                guard let connection = connection(id) else { return }
                let result = try await host.identify(connection)
                report(.info("identify \(id): \(result)".prefix(200).description))
            case .openStream(let id, let protocolID):
                guard let connection = connection(id) else { return }
                let (stream, chosen) = try await host.newStream(on: connection, protocols: [protocolID])
                await streams.replace(with: stream)
                report(.streamOpened(id, protocolID: chosen))
                readLoop(stream)
            case .send(let text):
                guard let stream = await streams.current else { return report(.error("no open stream")) }
                try await stream.write(ByteBuffer(string: text + "\n"))
            case .closeWrite:
                guard let stream = await streams.current else { return report(.error("no open stream")) }
                try await stream.closeWrite()
            case .reset:
                await streams.current?.reset()
                await streams.replace(with: nil)
            case .hangup(let id):
                await host.close(connection: id, reason: "hangup from the UI")
                report(.info("hung up \(id)"))
            case .perf(let id, let upload, let download):
                guard let connection = connection(id) else { return }
                let (stream, _) = try await host.newStream(on: connection, protocols: ["/perf/1.0.0"])
                let result = try await PerfClient.run(stream, upload: upload, download: download)
                report(.info(
                    "perf \(id): up \(Format.bytes(result.uploadedBytes)) in \(Format.duration(result.uploadDuration)), down \(Format.bytes(result.downloadedBytes)) in \(Format.duration(result.downloadDuration))"))
            }
        } catch {
            report(.error("\(describe(command)) failed: \(error)"))
        }
    }

    private func readLoop(_ stream: NegotiatedStream) {
        Task {
            do {
                while let buffer = try await stream.read() {
                    let text = String(buffer: buffer)
                    for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0) {
                        report(.streamReceived(String(line)))
                    }
                }
                report(.streamEnded("peer closed its side"))
            } catch {
                report(.streamEnded("stream ended: \(error)"))
            }
        }
    }

    private func describe(_ command: AppCommand) -> String {
        switch command {
        case .quit: "quit"
        case .dial(let address): "dial \(address)"
        case .listen(let address): "listen \(address)"
        case .ping: "ping"
        case .identify: "identify"
        case .openStream(_, let protocolID): "open \(protocolID)"
        case .send: "send"
        case .closeWrite: "close"
        case .reset: "reset"
        case .hangup: "hangup"
        case .perf: "perf"
        }
    }
}

/// The one stream the stream view talks on.
private actor StreamHolder {
    private(set) var current: NegotiatedStream?

    func replace(with stream: NegotiatedStream?) {
        current = stream
    }
}
