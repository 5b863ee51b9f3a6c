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

    @Option(name: .long, help: "Ask this DNS server (IPv4:PORT) for /dns* and /dnsaddr names instead of the system resolver.")
    var dnsServer: String?

    @Option(name: .long, help: "Seconds one DNS question may take, retries included.")
    var dnsTimeout: Double = 5

    @OptionGroup var identityOptions: IdentityOptions

    @OptionGroup var stackOptions: StackOptions

    func validate() throws {
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a positive number of seconds") }
        guard dnsTimeout > 0, dnsTimeout.isFinite, dnsTimeout <= 60 else {
            throw ValidationError("--dns-timeout must be a number of seconds in (0, 60]")
        }
        if let dnsServer {
            do { _ = try DNSServer(parsing: dnsServer) } catch { throw ValidationError("--dns-server: \(error)") }
        }
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
        let server = try dnsServer.map { text in
            do { return try DNSServer(parsing: text) } catch { throw CLIError("--dns-server: \(error)") }
        } ?? .system
        configuration.resolver = MultiaddrResolver(client: DNSClient(
            server: server, timeout: min(.milliseconds(Int64(dnsTimeout * 1000)), limit * 0.8)))
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
