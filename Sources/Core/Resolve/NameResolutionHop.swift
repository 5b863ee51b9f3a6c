import Multiformats

/// One DNS question asked while turning a `/dns*` or `/dnsaddr` multiaddr into dialable ones, with what
/// came back. A dial reports every hop, so a timeline shows the resolution before the connection
/// attempts it produced (and `diagnose` says which hop failed).
public struct NameResolutionHop: Sendable, Hashable, CustomStringConvertible {
    /// The address this hop resolved (a `/dnsaddr` record found at an earlier hop has its own hop).
    public let address: Multiaddr
    /// The question, as a person would write it: `A+AAAA localhost`, `TXT _dnsaddr.example.org`.
    public let question: String
    /// Who answered: `system resolver` or `127.0.0.1:5353`.
    public let server: String
    /// 0 for the address given to the dial, +1 for each `/dnsaddr` record followed.
    public let depth: Int
    /// The records that came back, as text (addresses, TXT strings); at most the resolver's record limit.
    public let answers: [String]
    /// The multiaddrs this hop produced (dialable, or to be resolved further).
    public let produced: [Multiaddr]
    /// Why the hop failed (the name does not exist, a timeout, a limit, a loop); nil when it succeeded.
    public let failure: String?
    public let duration: Duration

    public init(
        address: Multiaddr, question: String, server: String, depth: Int, answers: [String],
        produced: [Multiaddr], failure: String?, duration: Duration
    ) {
        self.address = address
        self.question = question
        self.server = server
        self.depth = depth
        self.answers = answers
        self.produced = produced
        self.failure = failure
        self.duration = duration
    }

    /// `dns` for address lookups, `dnsaddr` for TXT lookups: the step name in `diagnose`.
    public var stepName: String { question.hasPrefix("TXT") ? "dnsaddr" : "dns" }

    public var description: String {
        let outcome = failure ?? (answers.isEmpty ? "no records" : answers.joined(separator: ", "))
        return "\(question) via \(server) → \(outcome)"
    }
}
