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

/// peer-id.md §4 "Derived peer IDs for the vectors": each spec key proves exactly this peer ID.
@Suite struct PublicKeyPeerIDTests {
    @Test(arguments: [
        (KeyVectors.ed25519Private, "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq"),
        (KeyVectors.secp256k1Private, "16Uiu2HAmLhLvBoYaoZfaMUKuibM6ac163GwKY74c5kiSLg5KvLpY"),
        (KeyVectors.ecdsaPrivate, "QmVMT29id3TUASyfZZ6k9hmNyc2nYabCo4uMSpDw4zrgDk"),
        (KeyVectors.rsaPrivate, "QmaeANgBs1DTSxWSrPPtobgQuxW8XTfsS4ydbK4rCHzqxG"),
    ])
    func privateKeyVectorProvesItsPeerID(marshaledPrivateKey: [UInt8], expected: String) throws {
        let key = try PrivateKey(marshaled: marshaledPrivateKey)
        #expect(key.peerID.base58 == expected)
        #expect(key.publicKey.peerID == (try PeerID(expected)))
    }

    @Test func inlinedKeysCanBeRecoveredFromThePeerID() throws {
        let key = try PrivateKey(marshaled: KeyVectors.ed25519Private)
        let inlined = try #require(key.peerID.inlinedPublicKeyProtobuf)
        #expect(try PublicKey(marshaled: inlined) == key.publicKey)
    }
}
