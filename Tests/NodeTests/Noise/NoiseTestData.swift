import NIOCore

/// Byte helpers shared by the Noise transport and adapter tests.
enum NoiseTestData {
    /// Deterministic non-constant bytes, so misordered or duplicated chunks are caught.
    static func pattern(_ count: Int, seed: UInt8 = 0) -> ByteBuffer {
        ByteBuffer(bytes: (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) &+ seed })
    }

    /// The length prefixes of the Noise frames in `wire`.
    static func frameLengths(_ wire: ByteBuffer) -> [Int] {
        var wire = wire
        var lengths: [Int] = []
        while let length = wire.readInteger(as: UInt16.self) {
            lengths.append(Int(length))
            wire.moveReaderIndex(forwardBy: Int(length))
        }
        return lengths
    }
}
