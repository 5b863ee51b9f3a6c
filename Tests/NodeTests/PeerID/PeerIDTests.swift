import Foundation
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

private func hex(_ text: String) -> [UInt8] {
    (try? MultibaseEncoding.base16.decode(text)) ?? []
}

@Suite struct PeerIDTests {
    /// peer-id.md §4: public-key protobuf → derived peer ID (multihash, legacy text, CIDv1 base32).
    static let derived: [(String, String, String, String, String)] = [
        ("Ed25519",
         "080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e",
         "0024080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e",
         "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq",
         "bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6"),
        ("secp256k1",
         "08021221037777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca99",
         "002508021221037777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca99",
         "16Uiu2HAmLhLvBoYaoZfaMUKuibM6ac163GwKY74c5kiSLg5KvLpY",
         "bafzaajiiaijcca3xo7uzjzcsyilaj6i54cj44qk7kqzpoao5rti2pjx6udtdbp6kte"),
        ("ECDSA",
         "0803125b3059301306072a8648ce3d020106082a8648ce3d03010703420004de3d300fa36ae0e8f5d530899d83abab44abf3161f162a4bc901d8e6ecda020e8b6d5f8da30525e71d6851510c098e5c47c646a597fb4dcec034e9f77c409e62",
         "122068362c312e155f4f7290b67f5cd094a22a0a4fbf20efd8c287934419350d36f7",
         "QmVMT29id3TUASyfZZ6k9hmNyc2nYabCo4uMSpDw4zrgDk",
         "bafzbeidigywdclqvl5hxfefwp5onbffcfife7pza57mmfb4tiqmtkdjw64"),
        ("RSA",
         "080012a60430820222300d06092a864886f70d01010105000382020f003082020a0282020100e1beab071d08200bde24eef00d049449b07770ff9910257b2d7d5dda242ce8f0e2f12e1af4b32d9efd2c090f66b0f29986dbb645dae9880089704a94e5066d594162ae6ee8892e6ec70701db0a6c445c04778eb3de1293aa1a23c3825b85c6620a2bc3f82f9b0c309bc0ab3aeb1873282bebd3da03c33e76c21e9beb172fd44c9e43be32e2c99827033cf8d0f0c606f4579326c930eb4e854395ad941256542c793902185153c474bed109d6ff5141ebf9cd256cf58893a37f83729f97e7cb435ec679d2e33901d27bb35aa0d7e20561da08885ef0abbf8e2fb48d6a5487047a9ecb1ad41fa7ed84f6e3e8ecd5d98b3982d2a901b4454991766da295ab78822add5612a2df83bcee814cf50973e80d7ef38111b1bd87da2ae92438a2c8cbcc70b31ee319939a3b9c761dbc13b5c086d6b64bf7ae7dacc14622375d92a8ff9af7eb962162bbddebf90acb32adb5e4e4029f1c96019949ecfbfeffd7ac1e3fbcc6b6168c34be3d5a2e5999fcbb39bba7adbca78eab09b9bc39f7fa4b93411f4cc175e70c0a083e96bfaefb04a9580b4753c1738a6a760ae1afd851a1a4bdad231cf56e9284d832483df215a46c1c21bdf0c6cfe951c18f1ee4078c79c13d63edb6e14feaeffabc90ad317e4875fe648101b0864097e998f0ca3025ef9638cd2b0caecd3770ab54a1d9c6ca959b0f5dcbc90caeefc4135baca6fd475224269bbe1b0203010001",
         "1220b6c8a8c0a3105fc27afca4fb1173791f038e4343fd56b7c67b616dbc30a04ccd",
         "QmaeANgBs1DTSxWSrPPtobgQuxW8XTfsS4ydbK4rCHzqxG",
         "bafzbeifwzcumbiyql7bhv7fe7mixg6i7aohegq75k234m63bnw6dbicmzu"),
    ]

    @Test(arguments: derived)
    func derivesFromPublicKeyProtobuf(key: String, protobuf: String, multihash: String, legacy: String, cid: String) throws {
        let peer = PeerID(publicKeyProtobuf: hex(protobuf))
        #expect(peer.bytes == hex(multihash), "\(key)")
        #expect(peer.base58 == legacy)
        #expect(peer.description == legacy)
        #expect(peer.cidString == cid)
        #expect(try PeerID(legacy) == peer)
        #expect(try PeerID(cid) == peer)
        #expect(try PeerID(multihash: hex(multihash)) == peer)
        let inlined = hex(protobuf).count <= PeerID.maxInlineKeyLength
        #expect(peer.inlinedPublicKeyProtobuf == (inlined ? hex(protobuf) : nil))
    }

    @Test func parsesEveryTextFormOfTheSameID() throws {
        let legacy = try PeerID("12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA")
        #expect(try PeerID("bafzaajaiaejcal72gwuz2or47oyxxn6b3rkwdmmkrxgkjxzy3rqt5kczyn7lcm3l") == legacy)
        #expect(try PeerID("k51qzi5uqu5dhdmyb9bd18pypu2wp5lpv2xnskfmrqa4lb5knqryrotb05e7or") == legacy)
        #expect(try PeerID(LibP2PKeyCID(multihash: legacy.multihash).text(.base58btc)) == legacy)
        #expect(try PeerID("BAFZAAJAIAEJCAL72GWUZ2OR47OYXXN6B3RKWDMMKRXGKJXZY3RQT5KCZYN7LCM3L") == legacy)
        #expect(try PeerID("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N").cidString
            == "bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe")
    }

    @Test func shortDescriptionKeepsFourCharactersEachSide() throws {
        let peer = try PeerID("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq")
        #expect(peer.shortDescription == "12D3…R3pq")
        let tiny = try PeerID(multihash: [0x00, 0x00])
        #expect(tiny.shortDescription == tiny.base58)
    }

    @Test func comparesAndHashesByBytes() throws {
        let a = try PeerID("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N")
        let b = try PeerID("12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA")
        #expect(b < a, "0x00… sorts before 0x12…")
        #expect(!(a < a))
        #expect([a, b].sorted() == [b, a])
        #expect(Set([a, b, try PeerID(a.cidString)]).count == 2)
    }

    @Test func codableAsBase58String() throws {
        let peer = try PeerID("12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA")
        let json = try JSONEncoder().encode([peer])
        #expect(String(decoding: json, as: UTF8.self) == #"["12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA"]"#)
        #expect(try JSONDecoder().decode([PeerID].self, from: json) == [peer])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([PeerID].self, from: Data(#"["Qm0"]"#.utf8))
        }
    }

    @Test func rejectsInvalidText() {
        #expect(throws: PeerIDError.empty) { try PeerID("") }
        #expect(throws: PeerIDError.invalidBase58(.invalidCharacter("0", offset: 2, encoding: .base58btc))) {
            try PeerID("Qm0")
        }
        // Declares a 33-byte sha2-256 digest and carries 32 bytes.
        #expect(throws: PeerIDError.invalidMultihash(.digestTruncated(declared: 33, available: 32))) {
            try PeerID("QmxoHT6iViN5xAjoz1VZ553cL31U9F94ht3QvWR1FrEbZY")
        }
        #expect(throws: PeerIDError.invalidCID(.unsupportedCodec(0x70))) {
            try PeerID("k2jmtxwoe2phm1hbqp0e7nufqf6umvuu2e9qd7ana7h411a0haqj6i2z")
        }
        #expect(throws: PeerIDError.invalidCID(.invalidMultibase(.unknownPrefix("?")))) {
            try PeerID("?unknownmultibase")
        }
        #expect(throws: PeerIDError.invalidCID(.invalidMultibase(.unknownPrefix("t")))) { try PeerID("tcp") }
        #expect(throws: PeerIDError.invalidMultihash(.truncatedHeader(.digestLength))) { try PeerID("1") }
    }

    @Test func rejectsInvalidBinary() {
        #expect(throws: PeerIDError.invalidMultihash(.empty)) { try PeerID(multihash: [UInt8]()) }
        // md5 is a fine multihash but not a peer ID.
        #expect(throws: PeerIDError.unsupportedHashCode(0xd5)) {
            try PeerID(multihash: hex("d501103858f62230ac3c915f300c664312c63f"))
        }
        let longIdentity = [0x00, 43] + [UInt8](repeating: 7, count: 43)
        #expect(throws: PeerIDError.inlineKeyTooLong(length: 43, limit: 42)) { try PeerID(multihash: longIdentity) }
        #expect(throws: PeerIDError.invalidMultihash(.digestTruncated(declared: 33, available: 32))) {
            try PeerID(multihash: hex("1221c05877cbae039d70a5e600ea02c6f9f2942439285c9e344e26f8d280c850fad6"))
        }
        #expect(PeerIDError.inlineKeyTooLong(length: 43, limit: 42).description.contains("43"))
    }

    @Test func keysOver42BytesAreHashed() {
        let key = [UInt8](repeating: 1, count: 43)
        let peer = PeerID(publicKeyProtobuf: key)
        #expect(peer.bytes == Multihash.sha2_256(of: key).bytes)
        #expect(peer.inlinedPublicKeyProtobuf == nil)
        let small = [UInt8](repeating: 1, count: 42)
        #expect(PeerID(publicKeyProtobuf: small).inlinedPublicKeyProtobuf == small)
    }
}
