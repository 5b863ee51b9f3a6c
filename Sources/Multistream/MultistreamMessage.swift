import NIOCore
import Multiformats

/// multistream-select 1.0 message constants and encoding (multistream-select.md §1).
///
/// A message on the wire is `uvarint(len(text) + 1) ‖ text ‖ "\n"`.
public enum MultistreamMessage {
    /// The protocol header both sides send first.
    public static let header = "/multistream/1.0.0"
    /// The listener's refusal of a proposal.
    public static let notAvailable = "na"
    /// A request to list protocols; we never send it and answer it with `na` (spec §4).
    public static let list = "ls"
    /// Largest accepted message length including the newline, as go-multistream and js use.
    public static let defaultMaxLength = 1024

    /// Appends `text` as one framed message.
    public static func write(_ text: String, into buffer: inout ByteBuffer) {
        let utf8 = text.utf8
        buffer.writeUVarint(UInt64(utf8.count + 1))
        buffer.writeBytes(utf8)
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    /// Frames several messages into one buffer, so they leave in one write.
    public static func encode(_ texts: String..., allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        let capacity = texts.reduce(0) { $0 + $1.utf8.count + 1 + UVarint.maxByteCount }
        var buffer = allocator.buffer(capacity: capacity)
        for text in texts {
            write(text, into: &buffer)
        }
        return buffer
    }
}
