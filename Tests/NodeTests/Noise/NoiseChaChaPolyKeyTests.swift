@preconcurrency import Crypto
import Foundation
import NIOCore
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

/// The in-place AEAD must produce exactly what swift-crypto's `ChaChaPoly` produces, and reject what
/// it rejects.
@Suite struct NoiseChaChaPolyKeyTests {
    private static let sizes: [Int] = {
        var generator = SystemRandomNumberGenerator()
        let edges = [0, 1, 15, 16, 17, 63, 64, 65, 255, 256, 4096, 65_518, NoiseProtocol.maxPlaintextLength]
        return edges + (0..<24).map { _ in Int.random(in: 0...NoiseProtocol.maxPlaintextLength, using: &generator) }
    }()

    private static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    private static func referenceSeal(_ plaintext: [UInt8], key: SymmetricKey, counter: UInt64, ad: [UInt8]) throws -> [UInt8] {
        let box = try ChaChaPoly.seal(plaintext, using: key, nonce: NoiseAEAD.nonce(counter), authenticating: ad)
        return Array(box.ciphertext) + Array(box.tag)
    }

    private static func seal(_ plaintext: [UInt8], with aead: NoiseChaChaPolyKey, counter: UInt64, ad: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0xAA, count: plaintext.count + NoiseProtocol.tagLength)
        plaintext.withUnsafeBytes { plain in
            ad.withUnsafeBytes { ad in
                out.withUnsafeMutableBytes { aead.seal(plain, counter: counter, associatedData: ad, into: $0) }
            }
        }
        return out
    }

    private static func open(_ sealed: [UInt8], with aead: NoiseChaChaPolyKey, counter: UInt64, ad: [UInt8]) -> [UInt8]? {
        var out = [UInt8](repeating: 0xAA, count: max(0, sealed.count - NoiseProtocol.tagLength))
        let ok = sealed.withUnsafeBytes { sealed in
            ad.withUnsafeBytes { ad in
                out.withUnsafeMutableBytes { aead.open(sealed, counter: counter, associatedData: ad, into: $0) }
            }
        }
        return ok ? out : nil
    }

    @Test(arguments: sizes)
    func sealMatchesSwiftCryptoAndOpensBothWays(size: Int) throws {
        let key = SymmetricKey(size: .bits256)
        let aead = NoiseChaChaPolyKey(key)
        let plaintext = Self.randomBytes(size)
        // A counter above 2^32 checks both nonce words; associated data as the handshake uses it.
        let counter = UInt64.random(in: 0...(UInt64.max - 1))
        let ad = size % 2 == 0 ? [] : Self.randomBytes(32)

        let expected = try Self.referenceSeal(plaintext, key: key, counter: counter, ad: ad)
        let sealed = Self.seal(plaintext, with: aead, counter: counter, ad: ad)
        #expect(sealed == expected)
        #expect(Self.open(expected, with: aead, counter: counter, ad: ad) == plaintext)

        let box = try ChaChaPoly.SealedBox(
            nonce: NoiseAEAD.nonce(counter), ciphertext: sealed.dropLast(NoiseProtocol.tagLength),
            tag: sealed.suffix(NoiseProtocol.tagLength))
        #expect(Array(try ChaChaPoly.open(box, using: key, authenticating: ad)) == plaintext)
    }

    @Test func sealAndOpenInPlace() throws {
        let key = SymmetricKey(size: .bits256)
        let aead = NoiseChaChaPolyKey(key)
        let plaintext = Self.randomBytes(65_000)
        var buffer = plaintext + [UInt8](repeating: 0, count: NoiseProtocol.tagLength)
        buffer.withUnsafeMutableBytes { whole in
            aead.seal(UnsafeRawBufferPointer(rebasing: whole[..<plaintext.count]), counter: 7,
                      associatedData: UnsafeRawBufferPointer(start: nil, count: 0), into: whole)
        }
        #expect(buffer == (try Self.referenceSeal(plaintext, key: key, counter: 7, ad: [])))
        let opened = buffer.withUnsafeMutableBytes { whole in
            aead.open(UnsafeRawBufferPointer(whole), counter: 7, associatedData: UnsafeRawBufferPointer(start: nil, count: 0),
                      into: whole)
        }
        #expect(opened)
        #expect(Array(buffer.prefix(plaintext.count)) == plaintext)
    }

    @Test(arguments: [0, 1, 100, 65_519])
    func tamperingIsRejected(size: Int) throws {
        let key = SymmetricKey(size: .bits256)
        let aead = NoiseChaChaPolyKey(key)
        let sealed = Self.seal(Self.randomBytes(size), with: aead, counter: 3, ad: [])
        // Every region: first ciphertext byte (if any), last ciphertext byte, first and last tag byte.
        var offsets = [sealed.count - NoiseProtocol.tagLength, sealed.count - 1]
        if size > 0 { offsets += [0, size - 1] }
        for offset in offsets {
            var tampered = sealed
            tampered[offset] ^= 0x01
            #expect(Self.open(tampered, with: aead, counter: 3, ad: []) == nil, "flipped byte \(offset)")
        }
        #expect(Self.open(sealed, with: aead, counter: 4, ad: []) == nil, "wrong nonce")
        #expect(Self.open(sealed, with: aead, counter: 3, ad: [1]) == nil, "wrong associated data")
        #expect(Self.open(sealed, with: NoiseChaChaPolyKey(SymmetricKey(size: .bits256)), counter: 3, ad: []) == nil)
        #expect(Self.open(Array(sealed.prefix(15)), with: aead, counter: 3, ad: []) == nil, "shorter than a tag")
        #expect(Self.open(sealed, with: aead, counter: 3, ad: []) != nil)
    }
}
