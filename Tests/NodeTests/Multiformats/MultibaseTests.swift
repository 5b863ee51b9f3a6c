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

@Suite struct MultibaseTests {
    // RFC 4648 §10 test vectors.
    static let rfc4648: [(String, String, String, String)] = [
        // input, base16 upper, base32 upper padded, base64 padded
        ("", "", "", ""),
        ("f", "66", "MY======", "Zg=="),
        ("fo", "666F", "MZXQ====", "Zm8="),
        ("foo", "666F6F", "MZXW6===", "Zm9v"),
        ("foob", "666F6F62", "MZXW6YQ=", "Zm9vYg=="),
        ("fooba", "666F6F6261", "MZXW6YTB", "Zm9vYmE="),
        ("foobar", "666F6F626172", "MZXW6YTBOI======", "Zm9vYmFy"),
    ]

    @Test(arguments: rfc4648)
    func matchesRFC4648(input: String, base16: String, base32: String, base64: String) throws {
        let bytes = Array(input.utf8)
        let base32NoPad = String(base32.prefix(while: { $0 != "=" }))
        let base64NoPad = String(base64.prefix(while: { $0 != "=" }))
        #expect(MultibaseEncoding.base16upper.encode(bytes) == base16)
        #expect(MultibaseEncoding.base16.encode(bytes) == base16.lowercased())
        #expect(MultibaseEncoding.base32upper.encode(bytes) == base32NoPad)
        #expect(MultibaseEncoding.base32.encode(bytes) == base32NoPad.lowercased())
        #expect(MultibaseEncoding.base64pad.encode(bytes) == base64)
        #expect(MultibaseEncoding.base64.encode(bytes) == base64NoPad)
        #expect(try MultibaseEncoding.base16.decode(base16) == bytes)
        #expect(try MultibaseEncoding.base16.decode(base16.lowercased()) == bytes)
        #expect(try MultibaseEncoding.base32.decode(base32NoPad) == bytes, "b accepts upper case")
        #expect(try MultibaseEncoding.base32.decode(base32NoPad.lowercased()) == bytes)
        #expect(try MultibaseEncoding.base64.decode(base64NoPad) == bytes)
        #expect(try MultibaseEncoding.base64pad.decode(base64) == bytes)
    }

    @Test func base64URLUsesTheURLAlphabet() throws {
        let bytes: [UInt8] = [0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff]
        #expect(MultibaseEncoding.base64.encode(bytes) == "+vv8/f7/")
        #expect(MultibaseEncoding.base64url.encode(bytes) == "-vv8_f7_")
        #expect(try MultibaseEncoding.base64url.decode("-vv8_f7_") == bytes)
        #expect(MultibaseEncoding.base64urlpad.encode([0xfa]) == "-g==")
        #expect(try Multibase.decode("U-g==").bytes == [0xfa])
        #expect(throws: MultibaseError.invalidCharacter("+", offset: 0, encoding: .base64url)) {
            try MultibaseEncoding.base64url.decode("+vv8")
        }
    }

    @Test func base58KnownValues() throws {
        #expect(Base58.encode(Array("hello world".utf8)) == "StV1DL6CwTryKyV")
        #expect(try Base58.decode("StV1DL6CwTryKyV") == Array("hello world".utf8))
        // Each leading zero byte is one leading "1".
        #expect(Base58.encode([0, 0, 1]) == "112")
        #expect(try Base58.decode("112") == [0, 0, 1])
        #expect(Base58.encode([0, 0]) == "11")
        #expect(try Base58.decode("11") == [0, 0])
        #expect(Base58.encode([]) == "")
        #expect(try Base58.decode("") == [])
    }

    /// encodings.md §5 table (legacy base58btc, base32 and base36 CID forms).
    static let peerIDTable: [(String, String, String)] = [
        ("12209dff3b17d74cf4d38a50d8b6383e92d181a10395a5e73a726dcccbd21bf6f0b9",
         "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N",
         "bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe"),
        ("0024080112202ffa35a99d3a3cfbb17bb7c1dc5561b18a8dcca4df38dc613ea859c37eb1336b",
         "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA",
         "bafzaajaiaejcal72gwuz2or47oyxxn6b3rkwdmmkrxgkjxzy3rqt5kczyn7lcm3l"),
        ("0024080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e",
         "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq",
         "bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6"),
    ]

    @Test(arguments: peerIDTable)
    func encodesSpecTable(multihashHex: String, legacy: String, cid: String) throws {
        let multihash = try MultibaseEncoding.base16.decode(multihashHex)
        #expect(Base58.encode(multihash) == legacy)
        #expect(try Base58.decode(legacy) == multihash)
        let cidBytes = [0x01, 0x72] + multihash
        #expect(Multibase.encode(cidBytes, as: .base32) == cid)
        let decoded = try Multibase.decode(cid)
        #expect(decoded.encoding == .base32 && decoded.bytes == cidBytes)
        #expect(try Multibase.decode(cid.uppercased()).bytes == cidBytes, "base32upper prefix B")
    }

    @Test func base36CIDFromTheSpecTable() throws {
        let text = "k51qzi5uqu5dhdmyb9bd18pypu2wp5lpv2xnskfmrqa4lb5knqryrotb05e7or"
        let bytes = try MultibaseEncoding.base16.decode(
            "01720024080112202ffa35a99d3a3cfbb17bb7c1dc5561b18a8dcca4df38dc613ea859c37eb1336b")
        #expect(Multibase.encode(bytes, as: .base36) == text)
        let decoded = try Multibase.decode(text)
        #expect(decoded.encoding == .base36 && decoded.bytes == bytes)
        #expect(try Multibase.decode("K" + text.dropFirst().uppercased()).bytes == bytes)
    }

    @Test func everyEncodingRoundTripsThroughTheDispatcher() throws {
        let samples: [[UInt8]] = [[], [0], [0, 0, 0xff], Array(0...255), [0x01, 0x72, 0x12, 0x20] + Array(repeating: 0xab, count: 32)]
        for encoding in MultibaseEncoding.allCases {
            #expect(MultibaseEncoding(prefix: encoding.prefix) == encoding)
            for sample in samples {
                let text = Multibase.encode(sample, as: encoding)
                let decoded = try Multibase.decode(text)
                #expect(decoded.encoding == encoding, "\(encoding)")
                #expect(decoded.bytes == sample, "\(encoding) \(sample.count) bytes")
            }
        }
    }

    @Test func namesTheBadCharacterAndItsOffset() {
        #expect(throws: MultibaseError.invalidCharacter("0", offset: 2, encoding: .base58btc)) {
            try Base58.decode("Qm0abc")
        }
        #expect(throws: MultibaseError.invalidCharacter("l", offset: 3, encoding: .base58btc)) {
            try Multibase.decode("zQml")
        }
        #expect(throws: MultibaseError.invalidCharacter("1", offset: 4, encoding: .base32)) {
            try Multibase.decode("bafz1aaa")
        }
        #expect(throws: MultibaseError.invalidCharacter("é", offset: 1, encoding: .base58btc)) {
            try Multibase.decode("zé")
        }
        #expect(throws: MultibaseError.invalidCharacter("g", offset: 2, encoding: .base16)) {
            try Multibase.decode("f0g")
        }
        #expect(throws: MultibaseError.invalidCharacter("=", offset: 3, encoding: .base64url)) {
            try Multibase.decode("uZg==")
        }
        let error = MultibaseError.invalidCharacter("0", offset: 2, encoding: .base58btc)
        #expect(error.description == "invalid base58btc character '0' at offset 2")
    }

    @Test func rejectsBadPrefixesLengthsAndPadding() {
        #expect(throws: MultibaseError.empty) { try Multibase.decode("") }
        #expect(throws: MultibaseError.unknownPrefix("?")) { try Multibase.decode("?unknownmultibase") }
        #expect(throws: MultibaseError.unknownPrefix("Q")) { try Multibase.decode("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N") }
        #expect(throws: MultibaseError.invalidLength(1, encoding: .base32)) { try Multibase.decode("ba") }
        #expect(throws: MultibaseError.invalidLength(3, encoding: .base32)) { try Multibase.decode("baaa") }
        #expect(throws: MultibaseError.invalidLength(6, encoding: .base32)) { try Multibase.decode("baaaaaa") }
        #expect(throws: MultibaseError.invalidLength(1, encoding: .base16)) { try Multibase.decode("fa") }
        #expect(throws: MultibaseError.invalidLength(5, encoding: .base64)) { try Multibase.decode("mZm9vY") }
        #expect(throws: MultibaseError.invalidPadding(offset: 3, encoding: .base64urlpad)) { try Multibase.decode("UZg=") }
        #expect(throws: MultibaseError.invalidPadding(offset: 3, encoding: .base64urlpad)) { try Multibase.decode("UZg===") }
        #expect(throws: MultibaseError.invalidPadding(offset: 7, encoding: .base64pad)) { try Multibase.decode("MZm9vYg=") }
        #expect(throws: MultibaseError.invalidLength(5, encoding: .base64pad)) { try Multibase.decode("MZm9vZ==") }
    }

    @Test func capsRadixInputLength() {
        let long = String(repeating: "2", count: RadixAlphabet.maxDecodedCharacters + 1)
        #expect(throws: MultibaseError.inputTooLong(length: long.count, limit: RadixAlphabet.maxDecodedCharacters, encoding: .base58btc)) {
            try Base58.decode(long)
        }
        #expect(throws: MultibaseError.inputTooLong(length: long.count, limit: RadixAlphabet.maxDecodedCharacters, encoding: .base36)) {
            try Multibase.decode("k" + long)
        }
    }
}
