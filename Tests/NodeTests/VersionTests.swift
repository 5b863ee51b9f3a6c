import Testing
@testable import Core
@testable import Events
@testable import Identity
@testable import Multiformats
@testable import Multistream
@testable import Node
@testable import Noise
@testable import Protocols
@testable import TCP
@testable import Upgrade
@testable import Yamux

@Test func agentVersionNamesPeerscope() {
    #expect(PeerscopeVersion.agentVersion.hasPrefix("peerscope/"))
}
