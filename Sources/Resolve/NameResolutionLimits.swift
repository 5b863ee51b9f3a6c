/// Bounds on resolving one multiaddr, so a hostile or broken zone (a dnsaddr loop, a TXT bomb, a chain of
/// names) costs a fixed number of questions and a fixed amount of memory.
public struct NameResolutionLimits: Sendable, Hashable {
    /// `/dnsaddr` names followed inside records found by earlier ones (go-libp2p resolves nested names too).
    public var maxDepth = 4
    /// Records one question may return; more fail that question as a whole (a TXT bomb is named, not
    /// silently cut).
    public var maxRecordsPerAnswer = 32
    /// Questions asked for one multiaddr in all.
    public var maxQuestions = 16
    /// Dialable addresses one multiaddr may resolve to; the rest are dropped and the hop says so.
    public var maxAddresses = 64
    /// Bytes of a TXT record kept (records longer than this are reported cut).
    public var maxRecordBytes = 1024

    public init() {}
}
