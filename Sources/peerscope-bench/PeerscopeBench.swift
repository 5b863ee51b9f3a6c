import ArgumentParser

/// `make bench`: measures the node against its physical ceilings (raw loopback TCP, ChaChaPoly on one
/// core) and against py-libp2p, and writes BENCHMARKS.md. `serve` and `serve-raw` are the second process
/// of the two-process benchmarks; the run starts them itself.
@main
struct PeerscopeBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peerscope-bench",
        abstract: "Benchmarks of the peerscope node against raw TCP, ChaChaPoly and py-libp2p.",
        subcommands: [RunCommand.self, ServeCommand.self, ServeRawCommand.self],
        defaultSubcommand: RunCommand.self)
}
