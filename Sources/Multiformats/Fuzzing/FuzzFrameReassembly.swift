import NIOCore

/// What one step of an incremental frame decoder gave a fuzz entry point.
package enum FuzzDecodeStep {
    /// An item, as the bytes it stands for on the wire (a header re-encoded, or a piece of body).
    case item([UInt8])
    /// The input is used up; the decoder waits for more.
    case needMoreBytes
    /// The decoder refused the input (a named protocol error); it stays failed.
    case refused
}

/// Feeds `input` to a frame decoder in socket-sized chunks and checks that what it decoded re-encodes to
/// the start of the input, and that when it did not refuse, at most `maxHeldBytes` are left undecoded
/// (a partial header: the decoder must not sit on bytes it could already return).
///
/// `step` gets the current chunk's unread bytes and consumes from them.
package func fuzzCheckReassembly(
    _ input: [UInt8], target: String, maxHeldBytes: Int,
    step: (inout ByteBuffer) throws(FuzzPropertyViolation) -> FuzzDecodeStep
) throws(FuzzPropertyViolation) {
    let chunks = FuzzChunks(input)
    let payload = Array(chunks.payload)
    var rebuilt: [UInt8] = []
    var refused = false
    chunkLoop: for chunk in chunks {
        var rest = ByteBuffer(bytes: chunk)
        while true {
            switch try step(&rest) {
            case .item(let bytes):
                try fuzzCheck(!bytes.isEmpty, target, "an empty item")
                rebuilt += bytes
            case .needMoreBytes:
                try fuzzCheck(rest.readableBytes == 0, target, "waits for more with \(rest.readableBytes) bytes unread")
                continue chunkLoop
            case .refused:
                refused = true
                break chunkLoop
            }
        }
    }
    try fuzzCheck(payload.starts(with: rebuilt), target, "decoded frames do not re-encode to the input's start")
    if !refused {
        try fuzzCheck(payload.count - rebuilt.count <= maxHeldBytes, target, "\(payload.count - rebuilt.count) bytes neither decoded nor held as a partial header")
    }
}
