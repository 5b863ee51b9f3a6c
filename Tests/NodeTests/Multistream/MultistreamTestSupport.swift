import NIOCore

@testable import Node

extension Array where Element == MultistreamAction {
    /// All `.send` payloads concatenated, as the adapter would write them.
    var sentBytes: ByteBuffer {
        var out = ByteBuffer()
        for case .send(var bytes) in self {
            out.writeBuffer(&bytes)
        }
        return out
    }

    /// The actions other than `.send`.
    var outcomes: [MultistreamAction] {
        filter { if case .send = $0 { return false } else { return true } }
    }
}

/// Concatenation of several framed messages.
func multistreamWire(_ texts: String...) -> ByteBuffer {
    var buffer = ByteBuffer()
    for text in texts {
        MultistreamMessage.write(text, into: &buffer)
    }
    return buffer
}

extension ByteBuffer {
    /// This buffer followed by `other`.
    func appending(_ other: ByteBuffer) -> ByteBuffer {
        var copy = self
        var other = other
        copy.writeBuffer(&other)
        return copy
    }

    /// One single-byte buffer per readable byte, for drip-feeding.
    var singleBytes: [ByteBuffer] {
        readableBytesView.map { ByteBuffer(bytes: [$0]) }
    }
}
