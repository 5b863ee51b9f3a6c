import ArgumentParser
import Node
import TermUI

/// `peerscope` with no subcommand: the terminal UI around a live node.
struct UICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui", abstract: "The terminal UI: live connections, upgrade timelines, yamux streams, a console.")

    @OptionGroup var identityOptions: IdentityOptions

    @OptionGroup var stackOptions: StackOptions

    @Option(name: .long, help: "Address to listen on (repeatable). Default: /ip4/127.0.0.1/tcp/0")
    var listen: [String] = []

    @Option(name: .long, help: "Address to dial on start (repeatable), e.g. /ip4/127.0.0.1/tcp/4001/p2p/12D3…")
    var connect: [String] = []

    @Flag(name: .long, help: "Start two demo peers in this process that connect and move traffic.")
    var demo = false

    func run() async throws {
        let identity: LoadedIdentity
        let listenAddresses: [Multiaddr]
        let connectAddresses: [Multiaddr]
        do {
            identity = try identityOptions.resolve()
            listenAddresses = try (listen.isEmpty ? ["/ip4/127.0.0.1/tcp/0"] : listen).map { try Multiaddr($0) }
            connectAddresses = try connect.map { try Multiaddr($0) }
        } catch {
            throw CLIError("\(error)")
        }
        var configuration = HostConfiguration()
        try stackOptions.apply(to: &configuration)
        configuration.serveEcho = true
        let host = Node.Host(identity: identity.privateKey, configuration: configuration)
        do {
            try await AppRunner.run(host: host, options: AppOptions(listen: listenAddresses, connect: connectAddresses, demo: demo))
        } catch {
            await host.shutdown()
            throw CLIError("\(error)")
        }
        await host.shutdown()
    }
}
