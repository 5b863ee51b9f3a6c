import Core
import Mplex
import Noise
import TLS
import Yamux

/// The security protocols and muxers a user can name (`--security noise,tls`, `--muxer yamux,mplex`),
/// and the default lists. A new implementation is one entry here; nothing else in the Host, the CLI
/// or the UI names one.
public enum UpgradeRegistry {
    /// Short names in the order `--help` lists them, with the implementation each builds.
    public static let securityProtocols: [(name: String, make: @Sendable () -> any SecurityProtocol)] = [
        ("noise", { NoiseSecurity() }),
        ("tls", { TLSSecurity() }),
    ]
    public static let muxers: [(name: String, make: @Sendable () -> any StreamMuxer)] = [
        ("yamux", { YamuxMuxer() }),
        ("mplex", { MplexMuxer() }),
    ]

    /// What a node offers when the user says nothing: every registered protocol, in the order above
    /// (go-libp2p's defaults: Noise then TLS, yamux then mplex).
    public static var defaultSecurityNames: [String] { securityProtocols.map(\.name) }
    public static var defaultMuxerNames: [String] { muxers.map(\.name) }

    /// The implementations for `names`, in that order; a name nobody registered, a repeated one or an
    /// empty list is an error that lists the known names.
    public static func securityProtocols(named names: [String]) throws(UpgradeRegistryError) -> [any SecurityProtocol] {
        try resolve(names, from: securityProtocols, layer: "security protocol")
    }

    public static func muxers(named names: [String]) throws(UpgradeRegistryError) -> [any StreamMuxer] {
        try resolve(names, from: muxers, layer: "muxer")
    }

    private static func resolve<T>(
        _ names: [String], from registered: [(name: String, make: @Sendable () -> T)], layer: String
    ) throws(UpgradeRegistryError) -> [T] {
        let known = registered.map(\.name)
        guard !names.isEmpty else { throw UpgradeRegistryError(layer: layer, problem: .empty, known: known) }
        var seen = Set<String>()
        var result: [T] = []
        for raw in names {
            let name = raw.lowercased()
            guard let entry = registered.first(where: { $0.name == name }) else {
                throw UpgradeRegistryError(layer: layer, problem: .unknown(raw), known: known)
            }
            guard seen.insert(name).inserted else {
                throw UpgradeRegistryError(layer: layer, problem: .repeated(raw), known: known)
            }
            result.append(entry.make())
        }
        return result
    }
}

/// A `--security` or `--muxer` list that names nothing usable.
public struct UpgradeRegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Problem: Sendable, Hashable {
        case empty
        case unknown(String)
        case repeated(String)
    }

    public let layer: String
    public let problem: Problem
    public let known: [String]

    public var description: String {
        let choices = known.joined(separator: ", ")
        switch problem {
        case .empty: return "no \(layer) given: name one or more of \(choices)"
        case .unknown(let name): return "unknown \(layer) '\(name)': known are \(choices)"
        case .repeated(let name): return "\(layer) '\(name)' listed twice"
        }
    }
}

extension HostConfiguration {
    /// Replaces the security and muxer lists with the named implementations, in that order.
    public mutating func useStack(security: [String], muxers: [String]) throws(UpgradeRegistryError) {
        upgrader.securityProtocols = try UpgradeRegistry.securityProtocols(named: security)
        upgrader.muxers = try UpgradeRegistry.muxers(named: muxers)
    }
}
