import Foundation
import SwiftProtobuf

/// Serialization of messages this node builds itself.
enum ProtobufEncoding {
    /// The binary encoding of `message`.
    ///
    /// Encoding only fails for a proto2 message missing a required field; every message passed here is
    /// built by this module with all of them set, so a failure is a bug, not a peer's doing.
    static func bytes(of message: some SwiftProtobuf.Message) -> [UInt8] {
        do {
            return try message.serializedBytes()
        } catch {
            preconditionFailure("a locally built \(type(of: message)) failed to encode: \(error)")
        }
    }
}
