import Testing
@testable import Node

@Test func agentVersionNamesPeerscope() {
    #expect(PeerscopeVersion.agentVersion.hasPrefix("peerscope/"))
}
