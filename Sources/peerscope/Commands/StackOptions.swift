import ArgumentParser
import Node

/// `--security` and `--muxer`: the ordered lists a node negotiates, on every command that runs one.
struct StackOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Security protocols in preference order, comma-separated (known: \(UpgradeRegistry.securityProtocols.map(\.name).joined(separator: ", "))).",
        valueName: "list"))
    var security: String = UpgradeRegistry.defaultSecurityNames.joined(separator: ",")

    @Option(name: .long, help: ArgumentHelp(
        "Stream muxers in preference order, comma-separated (known: \(UpgradeRegistry.muxers.map(\.name).joined(separator: ", "))).",
        valueName: "list"))
    var muxer: String = UpgradeRegistry.defaultMuxerNames.joined(separator: ",")

    @Option(name: .long, help: ArgumentHelp("Certificate chain (PEM) a /wss listener presents.", valueName: "file"))
    var wssCert: String?

    @Option(name: .long, help: ArgumentHelp("Private key (PEM) of --wss-cert.", valueName: "file"))
    var wssKey: String?

    @Option(name: .long, help: ArgumentHelp(
        "Also trust the CA certificates in this PEM file when dialing /wss (repeatable; the system's roots are always trusted).",
        valueName: "file"))
    var wssTrust: [String] = []

    var securityNames: [String] { Self.split(security) }
    var muxerNames: [String] { Self.split(muxer) }

    func validate() throws {
        do {
            _ = try UpgradeRegistry.securityProtocols(named: securityNames)
            _ = try UpgradeRegistry.muxers(named: muxerNames)
        } catch {
            throw ValidationError(error.description)
        }
        do {
            _ = try WebSocketTLSConfiguration.load(trust: wssTrust, certificate: wssCert, key: wssKey)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// Sets the configuration's lists (already validated, so this does not fail in practice).
    func apply(to configuration: inout HostConfiguration) throws {
        do {
            try configuration.useStack(security: securityNames, muxers: muxerNames)
        } catch {
            throw CLIError(error.description)
        }
        if wssCert != nil || wssKey != nil || !wssTrust.isEmpty {
            do {
                configuration.useWebSocketTLS(try WebSocketTLSConfiguration.load(trust: wssTrust, certificate: wssCert, key: wssKey))
            } catch {
                throw CLIError(error.description)
            }
        }
    }

    private static func split(_ list: String) -> [String] {
        list.split(separator: ",").map { String($0.filter { $0 != " " }) }.filter { !$0.isEmpty }
    }
}
