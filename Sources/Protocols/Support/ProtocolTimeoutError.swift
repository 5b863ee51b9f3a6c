/// An application-protocol step did not finish within its time limit.
///
/// `activity` names the step (for example "ping 3 echo" or "identify request"), so a log line or the
/// UI can say what was being waited for, not just that something was slow.
public struct ProtocolTimeoutError: Error, Equatable, Sendable, CustomStringConvertible {
    public let activity: String
    public let limit: Duration

    public init(activity: String, limit: Duration) {
        self.activity = activity
        self.limit = limit
    }

    public var description: String {
        "\(activity) timed out after \(limit)"
    }
}
