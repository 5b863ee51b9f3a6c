/// How the received identify bytes were framed.
public enum IdentifyFraming: Sendable, Equatable {
    /// `uvarint(length) ‖ protobuf`, possibly several messages merged (go, rust, py default).
    case lengthPrefixed
    /// One bare protobuf filling the stream (py-libp2p with `use_varint_format=False`).
    case legacyUnprefixed
}

/// What was tolerated while reading an identify message: nothing here made the exchange fail.
public struct IdentifyDiagnostics: Sendable, Equatable {
    public var framing: IdentifyFraming
    public var messageCount: Int
    public var byteCount: Int
    /// Listen addresses that did not parse and were left out.
    public var skippedListenAddrs: Int
    /// The observed address was present but did not parse.
    public var invalidObservedAddr: Bool
    /// Protocol IDs beyond ``IdentifyLimits/maxProtocols``, left out.
    public var droppedProtocols: Int
    /// The message had no public key; it was taken from the (identity-hash) peer ID instead.
    public var publicKeyFromPeerID: Bool

    public init(
        framing: IdentifyFraming,
        messageCount: Int,
        byteCount: Int,
        skippedListenAddrs: Int = 0,
        invalidObservedAddr: Bool = false,
        droppedProtocols: Int = 0,
        publicKeyFromPeerID: Bool = false
    ) {
        self.framing = framing
        self.messageCount = messageCount
        self.byteCount = byteCount
        self.skippedListenAddrs = skippedListenAddrs
        self.invalidObservedAddr = invalidObservedAddr
        self.droppedProtocols = droppedProtocols
        self.publicKeyFromPeerID = publicKeyFromPeerID
    }
}

/// A peer's answer on `/ipfs/id/1.0.0`.
public struct IdentifyResult: Sendable, Equatable {
    public var info: IdentifyInfo
    public var diagnostics: IdentifyDiagnostics
}

/// A peer's message on `/ipfs/id/push/1.0.0`.
public struct IdentifyPushResult: Sendable, Equatable {
    public var update: IdentifyUpdate
    public var diagnostics: IdentifyDiagnostics
}

/// What we sent on an identify or identify/push stream.
public struct IdentifySendReport: Sendable, Equatable {
    /// 1, or 2 when the signed record went in its own message.
    public var messageCount: Int
    /// Bytes written, length prefixes included.
    public var byteCount: Int
    /// Listen addresses left out (from the end of the list) to respect the size limit.
    public var droppedListenAddrs: Int
}
