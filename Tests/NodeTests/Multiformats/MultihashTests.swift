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

@Suite struct MultihashTests {
    @Test func sha256OfEmptyInput() {
        let multihash = Multihash.sha2_256(of: [UInt8]())
        #expect(multihash.code == 0x12)
        #expect(multihash.bytes == hex("1220e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))
    }

    @Test func parsesAndReencodes() throws {
        for text in [
            "12209dff3b17d74cf4d38a50d8b6383e92d181a10395a5e73a726dcccbd21bf6f0b9",
            "0024080112202ffa35a99d3a3cfbb17bb7c1dc5561b18a8dcca4df38dc613ea859c37eb1336b",
            "0000",
            "d501103858f62230ac3c915f300c664312c63f",  // md5, as seen in a certhash
        ] {
            let multihash = try Multihash(bytes: hex(text))
            #expect(multihash.bytes == hex(text))
        }
        let identity = try Multihash(bytes: hex("00030a0b0c"))
        #expect(identity.code == Multihash.identityCode && identity.digest == [0x0a, 0x0b, 0x0c])
        #expect(Multihash.identity([0x0a, 0x0b, 0x0c]) == identity)
        let md5 = try Multihash(bytes: hex("d501103858f62230ac3c915f300c664312c63f"))
        #expect(md5.code == 0xd5 && md5.digest.count == 16)
    }

    static let malformed: [(String, MultihashError)] = [
        ("", .empty),
        ("80", .truncatedHeader(.code)),
        ("12", .truncatedHeader(.digestLength)),
        ("1280", .truncatedHeader(.digestLength)),
        ("8000", .invalidVarint(.code, .nonMinimal(byteCount: 2))),
        ("12a000", .invalidVarint(.digestLength, .nonMinimal(byteCount: 2))),
        ("12ffffffffffffffffff", .invalidVarint(.digestLength, .tooLong)),
        ("1220" + String(repeating: "ab", count: 31), .digestTruncated(declared: 32, available: 31)),
        ("12ffffffffffffffff7f00", .digestTruncated(declared: UVarint.maxValue, available: 1)),
        ("1220" + String(repeating: "ab", count: 33), .trailingBytes(count: 1)),
        ("121f" + String(repeating: "ab", count: 31), .wrongDigestLength(code: 0x12, expected: 32, actual: 31)),
        ("1221" + String(repeating: "ff", count: 33), .wrongDigestLength(code: 0x12, expected: 32, actual: 33)),
    ]

    @Test(arguments: malformed)
    func rejects(input: String, expected: MultihashError) {
        #expect(throws: expected) { try Multihash(bytes: hex(input)) }
        #expect(!expected.description.isEmpty)
    }

    @Test func constructorChecksSHA256Length() throws {
        #expect(throws: MultihashError.wrongDigestLength(code: 0x12, expected: 32, actual: 3)) {
            try Multihash(code: 0x12, digest: [1, 2, 3])
        }
        #expect(try Multihash(code: 0xd5, digest: [1, 2, 3]).bytes == [0xd5, 0x01, 0x03, 1, 2, 3])
    }
}

@Suite struct LibP2PKeyCIDTests {
    @Test func encodesAndDecodesTheSpecExample() throws {
        let multihash = try Multihash(bytes: hex("12209dff3b17d74cf4d38a50d8b6383e92d181a10395a5e73a726dcccbd21bf6f0b9"))
        let cid = LibP2PKeyCID(multihash: multihash)
        #expect(cid.bytes == [0x01, 0x72] + multihash.bytes)
        #expect(cid.text() == "bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe")
        #expect(try LibP2PKeyCID("bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe") == cid)
        #expect(try LibP2PKeyCID(bytes: cid.bytes) == cid)
        #expect(try LibP2PKeyCID(cid.text(.base36)) == cid)
        #expect(try LibP2PKeyCID(cid.text(.base58btc)) == cid)
    }

    @Test func rejectsOtherCodecsAndVersions() {
        // dag-pb codec (go TestInvalidP2PAddrString).
        #expect(throws: CIDError.unsupportedCodec(0x70)) {
            try LibP2PKeyCID("k2jmtxwoe2phm1hbqp0e7nufqf6umvuu2e9qd7ana7h411a0haqj6i2z")
        }
        // A bare multihash (CIDv0 shape) reads as version 0x12.
        #expect(throws: CIDError.unsupportedVersion(0x12)) {
            try LibP2PKeyCID(bytes: hex("12209dff3b17d74cf4d38a50d8b6383e92d181a10395a5e73a726dcccbd21bf6f0b9"))
        }
        #expect(throws: CIDError.unsupportedVersion(2)) { try LibP2PKeyCID(bytes: [0x02, 0x72, 0x00, 0x00]) }
        #expect(throws: CIDError.empty) { try LibP2PKeyCID(bytes: []) }
        #expect(throws: CIDError.truncated) { try LibP2PKeyCID(bytes: [0x01]) }
        #expect(throws: CIDError.truncated) { try LibP2PKeyCID(bytes: [0x01, 0x80]) }
        #expect(throws: CIDError.invalidVarint(.nonMinimal(byteCount: 2))) { try LibP2PKeyCID(bytes: [0x81, 0x00]) }
        #expect(throws: CIDError.invalidMultihash(.empty)) { try LibP2PKeyCID(bytes: [0x01, 0x72]) }
        #expect(throws: CIDError.invalidMultihash(.digestTruncated(declared: 32, available: 1))) {
            try LibP2PKeyCID(bytes: [0x01, 0x72, 0x12, 0x20, 0x00])
        }
        #expect(throws: CIDError.invalidMultibase(.unknownPrefix("?"))) { try LibP2PKeyCID("?abc") }
    }
}
