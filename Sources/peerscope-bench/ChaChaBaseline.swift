import Crypto
import Foundation

/// The crypto ceiling: swift-crypto ChaCha20-Poly1305 on full Noise frames (65519 plaintext bytes,
/// empty associated data, Noise's counter nonce), one thread, called the way the node calls it.
enum ChaChaBaseline {
    static let framePlaintext = 65519

    struct Result: Sendable {
        /// Plaintext MB/s of sealing alone, of opening alone, and of one core doing both for each frame.
        var seal: Double
        var open: Double
        var sealAndOpen: Double
    }

    static func measure(bytes: Int) throws -> Result {
        let frames = max(1, bytes / framePlaintext)
        let key = SymmetricKey(size: .bits256)
        let plaintext = [UInt8](repeating: 0, count: framePlaintext)
        let clock = ContinuousClock()
        var checksum: UInt8 = 0

        var sealed: [UInt8] = []
        let sealStart = clock.now
        for counter in 0..<frames {
            let box = try plaintext.withUnsafeBytes { plain in
                try ChaChaPoly.seal(plain, using: key, nonce: nonce(UInt64(counter)), authenticating: [UInt8]())
            }
            checksum ^= box.tag.first ?? 0
            if counter == frames - 1 { sealed = Array(box.ciphertext) + Array(box.tag) }
        }
        let sealTime = clock.now - sealStart

        // Opening the last frame again and again authenticates every time; the data is what matters.
        let lastNonce = try nonce(UInt64(frames - 1))
        let openStart = clock.now
        for _ in 0..<frames {
            let opened = try sealed.withUnsafeBytes { frame in
                let split = frame.count - 16
                let box = try ChaChaPoly.SealedBox(
                    nonce: lastNonce,
                    ciphertext: UnsafeRawBufferPointer(rebasing: frame[..<split]),
                    tag: UnsafeRawBufferPointer(rebasing: frame[split...]))
                return try ChaChaPoly.open(box, using: key, authenticating: [UInt8]())
            }
            checksum ^= opened.first ?? 0
        }
        let openTime = clock.now - openStart
        keep(checksum)

        let total = UInt64(frames * framePlaintext)
        return Result(seal: megabytesPerSecond(total, sealTime), open: megabytesPerSecond(total, openTime),
                      sealAndOpen: megabytesPerSecond(total, sealTime + openTime))
    }

    /// Noise's nonce: four zero bytes, then the counter little-endian.
    private static func nonce(_ counter: UInt64) throws -> ChaChaPoly.Nonce {
        var bytes = [UInt8](repeating: 0, count: 12)
        for index in 0..<8 { bytes[4 + index] = UInt8(truncatingIfNeeded: counter >> (8 * UInt64(index))) }
        return try ChaChaPoly.Nonce(data: bytes)
    }

    @inline(never)
    private static func keep(_ value: UInt8) {
        if value == 0x5A, ProcessInfo.processInfo.environment["PEERSCOPE_BENCH_NEVER"] != nil { print(value) }
    }
}
