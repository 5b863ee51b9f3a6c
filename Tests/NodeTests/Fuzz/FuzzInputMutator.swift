/// Deterministic mutations of corpus inputs, in the spirit of libFuzzer's mutators (bit flips, interesting
/// bytes, inserts, deletes, duplicated ranges, splices), so the test run finds the same inputs every time.
struct FuzzInputMutator {
    private var generator: SplitMix

    init(seed: String) {
        // FNV-1a: `Hasher` is randomized per process, and the same seed must give the same inputs.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in seed.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        generator = SplitMix(seed: hash)
    }

    mutating func next() -> UInt64 { generator.next() }

    mutating func below(_ bound: Int) -> Int { bound <= 1 ? 0 : Int(next() % UInt64(bound)) }

    private static let interesting: [UInt8] = [0x00, 0x01, 0x02, 0x7f, 0x80, 0xff, 0xfe, 0x0a, 0x40, 0x20]

    /// One to four mutations of `input`; `other` is spliced in by some of them.
    mutating func mutate(_ input: [UInt8], other: [UInt8]) -> [UInt8] {
        var bytes = input
        for _ in 0...below(4) {
            switch below(8) {
            case 0 where !bytes.isEmpty:
                bytes[below(bytes.count)] ^= UInt8(1 << below(8))
            case 1 where !bytes.isEmpty:
                bytes[below(bytes.count)] = Self.interesting[below(Self.interesting.count)]
            case 2:
                bytes.insert(UInt8(truncatingIfNeeded: next()), at: below(bytes.count + 1))
            case 3 where !bytes.isEmpty:
                let start = below(bytes.count)
                bytes.removeSubrange(start..<min(bytes.count, start + 1 + below(16)))
            case 4 where !bytes.isEmpty:
                let start = below(bytes.count)
                let range = start..<min(bytes.count, start + 1 + below(32))
                bytes.insert(contentsOf: bytes[range], at: below(bytes.count + 1))
            case 5 where !other.isEmpty:
                let start = below(other.count)
                let piece = other[start..<min(other.count, start + 1 + below(64))]
                bytes.insert(contentsOf: piece, at: below(bytes.count + 1))
            case 6 where !bytes.isEmpty:
                bytes.removeLast(below(bytes.count) + 1)
            case 7 where bytes.count >= 4:
                // Overwrite a 32-bit field with an extreme value (lengths, windows, stream IDs).
                let at = below(bytes.count - 3)
                let value: UInt32 = [0, 1, 0x7fff_ffff, 0xffff_ffff, 0x0004_0000, 0x0100_0000][below(6)]
                for index in 0..<4 { bytes[at + index] = UInt8(truncatingIfNeeded: value >> (24 - 8 * index)) }
            default:
                bytes.append(UInt8(truncatingIfNeeded: next()))
            }
        }
        return bytes
    }
}
