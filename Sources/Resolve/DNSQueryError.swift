/// Why a DNS question got no usable answer. Each says which name and, where there is one, what arrived.
public enum DNSQueryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// NXDOMAIN: the name does not exist.
    case nameNotFound(String)
    /// The name exists but has no record of the asked type.
    case noRecords(String, type: String)
    /// No answer within the resolver's time limit.
    case timedOut(String, after: Duration)
    /// The server answered with an error (SERVFAIL, REFUSED, …) or the resolver gave up.
    case serverFailure(String, detail: String)
    /// The answer message or one of its records does not parse.
    case malformedAnswer(String, detail: String)
    /// More records than the resolver keeps for one question.
    case tooManyRecords(String, type: String, count: Int, limit: Int)
    /// The configured server or the name cannot be used as given.
    case badQuery(String, detail: String)

    public var description: String {
        switch self {
        case .nameNotFound(let name): return "\(name) does not exist (NXDOMAIN)"
        case .noRecords(let name, let type): return "\(name) has no \(type) records"
        case .timedOut(let name, let after): return "no answer for \(name) within \(after.formattedSeconds)"
        case .serverFailure(let name, let detail): return "\(name): server failure: \(detail)"
        case .malformedAnswer(let name, let detail): return "\(name): malformed answer: \(detail)"
        case .tooManyRecords(let name, let type, let count, let limit):
            return "\(name) has \(count) \(type) records, over the limit of \(limit)"
        case .badQuery(let name, let detail): return "\(name): \(detail)"
        }
    }
}

extension Duration {
    var formattedSeconds: String {
        let (seconds, attoseconds) = components
        let value = Double(seconds) + Double(attoseconds) / 1e18
        return value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}
