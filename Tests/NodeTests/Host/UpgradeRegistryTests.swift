import Testing

@testable import Core
@testable import Node

/// `--security` / `--muxer` names resolve to implementations in the given order; anything else is
/// refused with the known names.
@Suite("Upgrade registry: named security protocols and muxers")
struct UpgradeRegistryTests {
    @Test func everyRegisteredNameResolvesInTheGivenOrder() throws {
        let securityNames = UpgradeRegistry.securityProtocols.map(\.name)
        let reversed = Array(securityNames.reversed())
        let security = try UpgradeRegistry.securityProtocols(named: reversed)
        #expect(security.map(\.name) == reversed)
        let muxerNames = UpgradeRegistry.muxers.map(\.name)
        let muxers = try UpgradeRegistry.muxers(named: Array(muxerNames.reversed()))
        #expect(muxers.count == muxerNames.count)
        #expect(Set(muxers.map(\.protocolID)).count == muxerNames.count, "each name builds a different muxer")
    }

    @Test func theDefaultsAreEveryRegisteredProtocolNoiseAndYamuxFirst() throws {
        #expect(UpgradeRegistry.defaultSecurityNames.first == "noise")
        #expect(UpgradeRegistry.defaultMuxerNames.first == "yamux")
        var configuration = HostConfiguration()
        try configuration.useStack(
            security: UpgradeRegistry.defaultSecurityNames, muxers: UpgradeRegistry.defaultMuxerNames)
        #expect(configuration.upgrader.securityProtocols.first?.protocolID == "/noise")
        #expect(configuration.upgrader.muxers.first?.protocolID == "/yamux/1.0.0")
        #expect(configuration.upgrader.securityProtocols.count == UpgradeRegistry.securityProtocols.count)
    }

    @Test func namesAreCaseInsensitive() throws {
        let security = try UpgradeRegistry.securityProtocols(named: ["NOISE"])
        #expect(security.map(\.protocolID) == ["/noise"])
    }

    @Test func unknownRepeatedAndEmptyListsAreNamedErrors() {
        #expect(throws: UpgradeRegistryError(layer: "security protocol", problem: .unknown("secio"),
                                             known: UpgradeRegistry.defaultSecurityNames)) {
            try UpgradeRegistry.securityProtocols(named: ["noise", "secio"])
        }
        #expect(throws: UpgradeRegistryError(layer: "muxer", problem: .repeated("yamux"),
                                             known: UpgradeRegistry.defaultMuxerNames)) {
            try UpgradeRegistry.muxers(named: ["yamux", "yamux"])
        }
        #expect(throws: UpgradeRegistryError(layer: "muxer", problem: .empty, known: UpgradeRegistry.defaultMuxerNames)) {
            try UpgradeRegistry.muxers(named: [])
        }
        let unknown = UpgradeRegistryError(layer: "muxer", problem: .unknown("spdy"), known: ["yamux", "mplex"])
        #expect(unknown.description == "unknown muxer 'spdy': known are yamux, mplex")
    }
}
