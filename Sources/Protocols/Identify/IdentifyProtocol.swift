import Multiformats

/// `/ipfs/id/1.0.0` and `/ipfs/id/push/1.0.0` (protocols.md §2).
public enum IdentifyProtocol {
    /// The listener sends its `Identify` message(s) and closes; the dialer only reads.
    public static let id = "/ipfs/id/1.0.0"
    /// The opener sends a (possibly partial) `Identify` message and closes.
    public static let pushID = "/ipfs/id/push/1.0.0"
}

/// Size and count bounds for identify messages (go-libp2p's values by default).
public struct IdentifyLimits: Sendable, Equatable {
    /// Largest message we send; listen addresses are trimmed to fit (rust-libp2p accepts no more).
    public var maxSentMessageSize: Int
    /// A message with a signed record that would exceed this is sent as two messages, the record last.
    public var signedRecordSplitThreshold: Int
    /// Largest single message accepted.
    public var maxReceivedMessageSize: Int
    /// Most length-prefixed messages merged from one stream.
    public var maxReceivedMessages: Int
    /// Protocol IDs kept per peer; the rest are dropped and counted.
    public var maxProtocols: Int

    public init(
        maxSentMessageSize: Int = 4096,
        signedRecordSplitThreshold: Int = 2048,
        maxReceivedMessageSize: Int = 8192,
        maxReceivedMessages: Int = 10,
        maxProtocols: Int = 1024
    ) {
        self.maxSentMessageSize = maxSentMessageSize
        self.signedRecordSplitThreshold = signedRecordSplitThreshold
        self.maxReceivedMessageSize = maxReceivedMessageSize
        self.maxReceivedMessages = maxReceivedMessages
        self.maxProtocols = maxProtocols
    }

    /// Most bytes read from one stream: every message at full size with its length prefix.
    var maxReceivedStreamBytes: Int {
        let prefix = UVarint.encodedByteCount(of: UInt64(max(0, maxReceivedMessageSize)))
        return maxReceivedMessages * (maxReceivedMessageSize + prefix)
    }
}
