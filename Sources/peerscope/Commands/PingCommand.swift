import ArgumentParser
import Foundation
import Node

/// `peerscope ping ADDR`: round trips on `/ipfs/ping/1.0.0`, one line each.
struct PingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping", abstract: "Ping a peer over /ipfs/ping/1.0.0; exit 0 only if every ping got its answer.")

    @Argument(help: "The peer's multiaddr, e.g. /ip4/127.0.0.1/tcp/4001/p2p/12D3…")
    var address: String

    @Option(name: .long, help: "How many pings (one second apart).")
    var count: Int = 5

    @Flag(name: .long, help: "One JSON object per line: {\"seq\":1,\"rtt_ms\":0.42}.")
    var json = false

    @OptionGroup var dialOptions: DialOptions

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be at least 1") }
    }

    func run() async throws {
        let target = try DialOptions.parse(address)
        let count = count, json = json
        let rtts = try await NodeSession.run(
            identityOptions: dialOptions.identityOptions, configuration: try dialOptions.configuration(),
            timeLimit: dialOptions.timeLimit
        ) { host in
            let connection = try await host.dial(target)
            return try await host.ping(connection, count: count, interval: .seconds(1)) { index, rtt in
                if json {
                    Output.line(JSONValue.object([("seq", .integer(Int64(index + 1))), ("rtt_ms", .milliseconds(rtt))]).rendered)
                } else {
                    Output.line("ping \(index + 1): \(String(format: "%.3f", rtt.milliseconds)) ms from \(connection.peer)")
                }
            }
        }
        if rtts.count != count {
            throw CLIError("only \(rtts.count) of \(count) pings were answered")
        }
    }
}
