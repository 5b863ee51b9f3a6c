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

/// The derived identify and signed-envelope examples of protocols.md §2, made with the peer-id spec
/// Ed25519 key (``KeyVectors/ed25519Private``).
enum ProtocolVectors {
    static let peerRecord = IdentityHex.bytes(
        "0a260024080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e10011a0a0a08047f000001060fa1"
    )
    static let signedBytes = IdentityHex.bytes(
        "126c69627032702d706565722d7265636f7264020301360a260024080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf"
            + "6010f0e42d474fce27e10011a0a0a08047f000001060fa1"
    )
    static let envelope = IdentityHex.bytes(
        "0a24080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e120203011a360a260024080112201ed1"
            + "e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e10011a0a0a08047f000001060fa12a404504e51a3680"
            + "6e8eba9344a743f2e1cbd0170d2632fb413f98101f6e3ff26d3da91f4eedebf36383fa5819438bce1d7398117236e52d2d1dfce9"
            + "8196294ac60e"
    )
    /// The framed identify message (`a3 02` = 291).
    static let framedIdentify = IdentityHex.bytes(
        "a3020a24080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e1208047f000001060fa11a0e2f69"
            + "7066732f69642f312e302e301a102f697066732f70696e672f312e302e302208047f00000106cb202a0a697066732f302e312e30"
            + "321273776966742d6c69627032702f302e302e3142a4010a24080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6"
            + "010f0e42d474fce27e120203011a360a260024080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474"
            + "fce27e10011a0a0a08047f000001060fa12a404504e51a36806e8eba9344a743f2e1cbd0170d2632fb413f98101f6e3ff26d3da9"
            + "1f4eedebf36383fa5819438bce1d7398117236e52d2d1dfce98196294ac60e"
    )

    static func specKey() throws -> PrivateKey {
        try PrivateKey(marshaled: KeyVectors.ed25519Private)
    }

    static func specRecord() throws -> SignedPeerRecord {
        try SignedPeerRecord.create(
            addresses: [try Multiaddr("/ip4/127.0.0.1/tcp/4001")],
            signingKey: try specKey(),
            seq: 1
        )
    }

    /// The identify contents of the example.
    static func specInfo() throws -> IdentifyInfo {
        IdentifyInfo(
            publicKey: try specKey().publicKey,
            listenAddrs: [try Multiaddr("/ip4/127.0.0.1/tcp/4001")],
            observedAddr: try Multiaddr("/ip4/127.0.0.1/tcp/52000"),
            protocols: ["/ipfs/id/1.0.0", "/ipfs/ping/1.0.0"],
            protocolVersion: "ipfs/0.1.0",
            agentVersion: "swift-libp2p/0.0.1",
            signedPeerRecord: .valid(try specRecord())
        )
    }
}
