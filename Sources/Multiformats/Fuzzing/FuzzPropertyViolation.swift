/// A property a fuzz entry point checks did not hold: a bug, whatever the input was.
///
/// Fuzz entry points throw this instead of trapping, so the corpus replay in the unit tests reports the
/// input and carries on; the libFuzzer driver turns it into a crash, which libFuzzer saves as a reproducer.
package struct FuzzPropertyViolation: Error, CustomStringConvertible, Sendable {
    package let target: String
    package let message: String

    package init(target: String, message: String) {
        self.target = target
        self.message = message
    }

    package var description: String { "\(target): \(message)" }
}

/// Throws ``FuzzPropertyViolation`` when `condition` is false.
@inline(__always)
package func fuzzCheck(
    _ condition: Bool, _ target: String, _ message: @autoclosure () -> String
) throws(FuzzPropertyViolation) {
    if !condition { throw FuzzPropertyViolation(target: target, message: message()) }
}

/// Deterministic splitting of one fuzz input into the chunks a socket could have delivered, so every
/// incremental decoder is also fuzzed across read boundaries. The first byte chooses the chunk sizes.
package struct FuzzChunks: Sequence {
    private let bytes: ArraySlice<UInt8>
    private let seed: UInt8

    package init(_ input: [UInt8]) {
        seed = input.first ?? 0
        bytes = input.dropFirst()
    }

    /// The bytes after the seed byte, whole.
    package var payload: ArraySlice<UInt8> { bytes }

    package func makeIterator() -> AnyIterator<ArraySlice<UInt8>> {
        var rest = bytes
        var state = UInt32(seed) &* 2_654_435_761 &+ 1
        let wholeInput = seed & 0x80 != 0
        return AnyIterator {
            guard !rest.isEmpty else { return nil }
            if wholeInput {
                defer { rest = rest.suffix(0) }
                return rest
            }
            state = state &* 1_103_515_245 &+ 12345
            let size = Int(state >> 16) % 17 + 1
            let chunk = rest.prefix(size)
            rest = rest.dropFirst(chunk.count)
            return chunk
        }
    }
}
