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

    var securityNames: [String] { Self.split(security) }
    var muxerNames: [String] { Self.split(muxer) }

    func validate() throws {
        do {
            _ = try UpgradeRegistry.securityProtocols(named: securityNames)
            _ = try UpgradeRegistry.muxers(named: muxerNames)
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
    }

    private static func split(_ list: String) -> [String] {
        list.split(separator: ",").map { String($0.filter { $0 != " " }) }.filter { !$0.isEmpty }
    }
}
