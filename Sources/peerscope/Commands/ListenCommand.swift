import ArgumentParser
import Dispatch
import Foundation
import Node

#if canImport(Glibc)
import Glibc
#endif

/// `peerscope listen`: a node that serves ping, identify, perf and echo and prints what happens.
struct ListenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Serve ping, identify, perf and echo; print the dialable address, then one line per event.",
        discussion: "The first stdout line is the full address to dial (ending in /p2p/<peer id>). SIGINT or SIGTERM shut the node down gracefully (exit code 0).")

    @Option(name: .customLong("listen"), help: "Address to listen on (repeatable).")
    var listenAddresses: [String] = ["/ip4/127.0.0.1/tcp/0"]

    @Flag(name: .long, help: "Events as JSON objects, one per line, each with a \"type\".")
    var json = false

    @Option(name: .customLong("upgrade-timeout"), help: ArgumentHelp(
        "Seconds an inbound connection may take from accept to a ready muxer; slower ones are cut with a named error.",
        valueName: "seconds"))
    var upgradeTimeout: Double = 15

    @OptionGroup var identityOptions: IdentityOptions

    @OptionGroup var stackOptions: StackOptions

    func run() async throws {
        let addresses = try listenAddresses.map(DialOptions.parse)
        // Signals are taken before the node starts, so an early SIGTERM is not lost.
        let stopRequests = SignalWatcher.watch([SIGINT, SIGTERM])
        let identity: LoadedIdentity
        do {
            identity = try identityOptions.resolve()
        } catch {
            throw CLIError("\(error)")
        }
        var configuration = HostConfiguration()
        try stackOptions.apply(to: &configuration)
        guard upgradeTimeout > 0, upgradeTimeout <= 3600 else {
            throw CLIError("--upgrade-timeout must be between 0 and 3600 seconds, got \(upgradeTimeout)")
        }
        configuration.upgrader.upgradeTimeout = .milliseconds(Int64(upgradeTimeout * 1000))
        configuration.servePerf = true
        configuration.serveEcho = true
        let start = ContinuousClock.now
        let host = Node.Host(identity: identity.privateKey, configuration: configuration)
        let events = host.events()
        var bound: [Multiaddr] = []
        do {
            for address in addresses { bound.append(try await host.listen(address)) }
        } catch {
            await host.shutdown()
            throw CLIError("cannot listen: \(error)")
        }
        for address in bound { Output.line(host.dialableAddress(address).description) }

        let json = json
        let printer = Task {
            for await record in events {
                let line = EventLine(record.event)
                let elapsed = record.time - start
                if record.droppedBefore > 0 {
                    Output.error("(\(record.droppedBefore) events dropped: output too slow)")
                }
                Output.line(json ? line.json(at: elapsed) : line.human(at: elapsed))
            }
        }
        for await _ in stopRequests { break }
        await host.shutdown()
        await printer.value
    }
}

/// Signals as an async stream, delivered through dispatch sources: the default action is turned
/// off, and no Swift code runs inside a signal handler.
enum SignalWatcher {
    static func watch(_ signals: [Int32]) -> AsyncStream<Int32> {
        AsyncStream { continuation in
            let sources = signals.map { number -> any DispatchSourceSignal in
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { continuation.yield(number) }
                source.resume()
                return source
            }
            let owner = SignalSources(sources)
            continuation.onTermination = { _ in owner.cancel() }
        }
    }
}

/// Keeps the dispatch sources alive as long as the stream is watched.
/// `@unchecked Sendable`: the array is never mutated, and `cancel()` is thread-safe in Dispatch.
private final class SignalSources: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]
    init(_ sources: [any DispatchSourceSignal]) { self.sources = sources }
    func cancel() { sources.forEach { $0.cancel() } }
}
