/// Why a perf exchange failed (a stall is ``ProtocolTimeoutError``).
public enum PerfError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The client finished its side after `received` of the 8 header bytes.
    case truncatedHeader(received: Int)
    /// The client asked for more than this server is configured to send.
    case requestExceedsLimit(requested: UInt64, limit: UInt64)
    /// The server closed after fewer bytes than requested.
    case downloadTooShort(expected: UInt64, received: UInt64)
    /// The server sent more bytes than requested (reading stopped there).
    case downloadTooLong(expected: UInt64, receivedAtLeast: UInt64)

    public var description: String {
        switch self {
        case .truncatedHeader(let received):
            return "perf request ended after \(received) of \(PerfProtocol.headerSize) header bytes"
        case .requestExceedsLimit(let requested, let limit):
            return "perf request for \(requested) bytes exceeds this server's limit of \(limit) bytes"
        case .downloadTooShort(let expected, let received):
            return "perf server sent \(received) of the \(expected) bytes requested"
        case .downloadTooLong(let expected, let received):
            return "perf server sent at least \(received) bytes, \(expected) were requested"
        }
    }
}
