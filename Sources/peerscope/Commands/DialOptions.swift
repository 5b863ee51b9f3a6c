import ArgumentParser
import Node

/// Options of every command that dials one peer: the time bound and who we are.
///
/// Dial commands use the persistent identity (like `listen` and `id`) unless `--ephemeral` is
/// given: a peer that allow-lists us, or a log line someone reads later, should see the same
/// peer ID every time.
struct DialOptions: ParsableArguments {
    @Option(name: .long, help: "Seconds the whole command may take (dial, protocol, everything).")
    var timeout: Double = 10

    @OptionGroup var identityOptions: IdentityOptions

    @OptionGroup var stackOptions: StackOptions

    func validate() throws {
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a positive number of seconds") }
    }

    var timeLimit: Duration { .milliseconds(Int64(timeout * 1000)) }

    /// A host for one dial: upgrade and TCP connect bounded below the whole command's limit, so
    /// a stuck step fails with its own error before the command's deadline.
    func configuration() throws -> HostConfiguration {
        var configuration = HostConfiguration()
        try stackOptions.apply(to: &configuration)
        let limit = timeLimit
        configuration.upgrader.upgradeTimeout = limit * 0.8
        configuration.connectTimeout = min(.seconds(5), limit * 0.8)
        configuration.dialTimeout = limit
        configuration.identifyTimeout = min(.seconds(5), limit * 0.8)
        configuration.streamNegotiationTimeout = limit * 0.8
        configuration.shutdownGracePeriod = .milliseconds(500)
        return configuration
    }

    /// The multiaddr argument, with a readable error.
    static func parse(_ text: String) throws -> Multiaddr {
        do {
            return try Multiaddr(text)
        } catch {
            throw CLIError("invalid multiaddr '\(text)': \(error)")
        }
    }
}
