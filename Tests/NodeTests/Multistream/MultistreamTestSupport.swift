import NIOCore

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
    /// The parts one after another in a new buffer.
    static func joining(_ parts: ByteBuffer...) -> ByteBuffer {
        var joined = ByteBuffer()
        for var part in parts {
            joined.writeBuffer(&part)
        }
        return joined
    }

    /// One single-byte buffer per readable byte, for drip-feeding a parser.
    var dripFeedChunks: [ByteBuffer] {
        readableBytesView.map { ByteBuffer(bytes: [$0]) }
    }
}
