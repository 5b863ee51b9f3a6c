import ArgumentParser
import Node

@main
struct Peerscope: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peerscope",
        abstract: "A libp2p node and terminal UI: dial peers, watch connections upgrade, inspect yamux streams.",
        version: PeerscopeVersion.string,
        subcommands: [
            UICommand.self, IDCommand.self, ListenCommand.self, PingCommand.self, IdentifyCommand.self, PerfCommand.self,
            StreamCommand.self, DiagnoseCommand.self,
        ],
        defaultSubcommand: UICommand.self
    )
}
