import ArgumentParser
import Node

/// `peerscope identify ADDR`: what the peer says about itself on `/ipfs/id/1.0.0`.
struct IdentifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identify", abstract: "Ask a peer who it is (/ipfs/id/1.0.0).")

    @Argument(help: "The peer's multiaddr.")
    var address: String

    @Flag(name: .long, help: "One JSON object: peer_id, agent_version, protocol_version, protocols, listen_addrs, observed_addr.")
    var json = false

    @OptionGroup var dialOptions: DialOptions

    func run() async throws {
        let target = try DialOptions.parse(address)
        var configuration = try dialOptions.configuration()
        configuration.identifyOnConnect = false
        let info = try await NodeSession.run(
            identityOptions: dialOptions.identityOptions, configuration: configuration, timeLimit: dialOptions.timeLimit
        ) { host in
            let connection = try await host.dial(target)
            return try await host.identify(connection).info
        }
        let listen = info.listenAddrs.map(\.description)
        if json {
            Output.line(JSONValue.object([
                ("peer_id", .string(info.peerID.base58)),
                ("agent_version", .optional(info.agentVersion)),
                ("protocol_version", .optional(info.protocolVersion)),
                ("protocols", .strings(info.protocols)),
                ("listen_addrs", .strings(listen)),
                ("observed_addr", .optional(info.observedAddr?.description)),
            ]).rendered)
            return
        }
        Output.line("peer id:          \(info.peerID.base58)")
        Output.line("agent version:    \(info.agentVersion ?? "(none)")")
        Output.line("protocol version: \(info.protocolVersion ?? "(none)")")
        Output.line("observed address: \(info.observedAddr?.description ?? "(none)")")
        Output.line("listen addresses:")
        for address in listen { Output.line("  \(address)") }
        Output.line("protocols:")
        for name in info.protocols { Output.line("  \(name)") }
    }
}
