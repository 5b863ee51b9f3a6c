import Identity
import Multiformats

/// Why an identify exchange failed. Problems with single addresses or the signed record are not
/// errors (see ``IdentifyDiagnostics`` and ``PeerRecordStatus``).
public enum IdentifyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The length prefix of message `messageIndex` (0-based) is not a valid uvarint.
    case invalidLengthPrefix(messageIndex: Int, UVarintError)
    /// Message `messageIndex` announces more bytes than accepted.
    case messageTooLarge(messageIndex: Int, length: UInt64, limit: Int)
    /// The stream ended inside message `messageIndex`, `receivedBytes` after its start.
    case truncatedMessage(messageIndex: Int, receivedBytes: Int)
    /// More than `limit` messages on one stream.
    case tooManyMessages(limit: Int)
    /// More bytes than `limit` on one stream.
    case streamTooLong(limit: Int)
    /// Message `messageIndex` is not a valid `Identify` protobuf.
    case malformedMessage(messageIndex: Int, reason: String)
    /// The stream ended without any message.
    case noMessage
    /// No public key in the message, and `peer` is a hashed peer ID that does not contain it.
    case missingPublicKey(peer: PeerID)
    /// The `publicKey` field does not decode to a usable key.
    case invalidPublicKey(KeyError)
    /// The key belongs to another peer than the one authenticated on the connection.
    case publicKeyMismatch(expected: PeerID, received: PeerID)
    /// Our own message exceeds `limit` even with every listen address removed.
    case ownMessageTooLarge(size: Int, limit: Int)
    /// Our own signed record alone exceeds `limit`.
    case ownRecordTooLarge(size: Int, limit: Int)

    public var description: String {
        switch self {
        case .invalidLengthPrefix(let index, let error):
            return "identify message \(index): invalid length prefix: \(error)"
        case .messageTooLarge(let index, let length, let limit):
            return "identify message \(index) announces \(length) bytes, more than the \(limit) accepted"
        case .truncatedMessage(let index, let received):
            return "identify stream ended inside message \(index) after \(received) bytes"
        case .tooManyMessages(let limit):
            return "identify stream carries more than \(limit) messages"
        case .streamTooLong(let limit):
            return "identify stream carries more than \(limit) bytes"
        case .malformedMessage(let index, let reason):
            return "identify message \(index) is not a valid Identify protobuf: \(reason)"
        case .noMessage:
            return "identify stream ended without a message"
        case .missingPublicKey(let peer):
            return "identify message has no public key and peer ID \(peer) does not contain one"
        case .invalidPublicKey(let error):
            return "identify message carries an invalid public key: \(error)"
        case .publicKeyMismatch(let expected, let received):
            return "identify public key belongs to \(received), but the connection is with \(expected)"
        case .ownMessageTooLarge(let size, let limit):
            return "our identify message is \(size) bytes without listen addresses, over the \(limit)-byte limit"
        case .ownRecordTooLarge(let size, let limit):
            return "our signed peer record message is \(size) bytes, over the \(limit)-byte limit"
        }
    }
}
