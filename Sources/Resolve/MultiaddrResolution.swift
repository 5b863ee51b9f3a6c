import Core
import Multiformats

/// Turns one multiaddr into dialable ones: `/dns`, `/dns4`, `/dns6` names into IP addresses, `/dnsaddr`
/// names into the multiaddrs of their `_dnsaddr` TXT records, recursively. A plain state machine: it asks
/// questions (`next()`), is given the answers (`receive`), and reports one `NameResolutionHop` per
/// question; it never touches a socket or a clock, so every limit and loop is tested without DNS.
public struct MultiaddrResolution: Sendable {
    /// What to do next.
    public enum Next: Sendable, Hashable {
        /// Ask this; hand the answer to `receive`.
        case ask(DNSQuestion)
        /// A name that was not asked (a loop, too deep, over the question limit): report the hop, call
        /// `next()` again.
        case skipped(NameResolutionHop)
        /// Nothing left: `resolved` holds the result.
        case finished
    }

    private struct Pending: Sendable {
        let address: Multiaddr
        let depth: Int
        /// The dnsaddr names that led here, to name a loop.
        let chain: [String]
    }

    public let limits: NameResolutionLimits
    /// Dialable addresses found so far, in the order found, without duplicates.
    public private(set) var resolved: [Multiaddr] = []
    /// Why hops failed, in order (empty when all succeeded).
    public private(set) var failures: [String] = []
    private var queue: [Pending]
    private var asking: Pending?
    private var questions = 0

    public init(_ address: Multiaddr, limits: NameResolutionLimits = NameResolutionLimits()) {
        self.limits = limits
        self.queue = [Pending(address: address, depth: 0, chain: [])]
    }

    /// Whether `address` needs a name resolved before it can be dialed.
    public static func needsResolution(_ address: Multiaddr) -> Bool {
        address.components.contains { component in
            switch component {
            case .dns, .dns4, .dns6, .dnsaddr: return true
            default: return false
            }
        }
    }

    public mutating func next() -> Next {
        precondition(asking == nil, "next() while a question is unanswered")
        while !queue.isEmpty {
            let pending = queue.removeFirst()
            guard let question = Self.question(for: pending.address) else {
                addResolved(pending.address)
                continue
            }
            if case .txt(let name) = question, pending.chain.contains(name) {
                return .skipped(skip(pending, question, "dnsaddr loop: \((pending.chain + [name]).joined(separator: " → "))"))
            }
            guard pending.depth <= limits.maxDepth else {
                return .skipped(skip(pending, question, "nested deeper than \(limits.maxDepth) dnsaddr names; not followed"))
            }
            guard questions < limits.maxQuestions else {
                return .skipped(skip(pending, question, "already asked \(questions) questions for this address (limit); not asked"))
            }
            questions += 1
            asking = pending
            return .ask(question)
        }
        return .finished
    }

    /// The answer to the question `next()` returned; `server` and `duration` are for the hop's report.
    public mutating func receive(
        _ result: Result<DNSAnswer, DNSQueryError>, server: String, duration: Duration
    ) -> NameResolutionHop {
        guard let pending = asking, let question = Self.question(for: pending.address) else {
            preconditionFailure("receive without a question asked")
        }
        asking = nil
        let answer: DNSAnswer
        switch result {
        case .failure(let error):
            return fail(pending, question, server: server, duration: duration, answers: [], "\(error)")
        case .success(let value):
            answer = value
        }
        guard answer.recordCount <= limits.maxRecordsPerAnswer else {
            let type = if case .txt = answer { "TXT" } else { "address" }
            let error = DNSQueryError.tooManyRecords(
                question.name, type: type, count: answer.recordCount, limit: limits.maxRecordsPerAnswer)
            return fail(pending, question, server: server, duration: duration, answers: [], "\(error)")
        }
        switch answer {
        case .addresses(let addresses):
            return receiveAddresses(addresses, pending, question, server: server, duration: duration)
        case .txt(let records):
            return receiveTXT(records, pending, question, server: server, duration: duration)
        }
    }

    // MARK: Answers

    private mutating func receiveAddresses(
        _ addresses: [ResolvedIPAddress], _ pending: Pending, _ question: DNSQuestion, server: String, duration: Duration
    ) -> NameResolutionHop {
        let texts = addresses.map(\.description)
        guard !addresses.isEmpty else {
            return fail(pending, question, server: server, duration: duration, answers: [], "no addresses for \(question.name)")
        }
        var produced: [Multiaddr] = []
        for address in addresses {
            guard let replaced = Self.replacingName(in: pending.address, with: address) else { continue }
            if !produced.contains(replaced) { produced.append(replaced) }
        }
        for address in produced {
            queue.append(Pending(address: address, depth: pending.depth, chain: pending.chain))
        }
        return succeed(pending, question, server: server, duration: duration, answers: texts, produced: produced)
    }

    private mutating func receiveTXT(
        _ records: [String], _ pending: Pending, _ question: DNSQuestion, server: String, duration: Duration
    ) -> NameResolutionHop {
        let shown = records.map { $0.count > limits.maxRecordBytes ? String($0.prefix(limits.maxRecordBytes)) + "…" : $0 }
        let wantedPeer = pending.address.peerID
        // What followed the /dnsaddr name, apart from /p2p/: a record must end the same way.
        let suffix = Array(pending.address.withoutPeerID.components.dropFirst())
        var produced: [Multiaddr] = []
        var unparsable: [String] = []
        var otherPeers = 0
        var dnsaddrRecords = 0
        for record in records where record.hasPrefix("dnsaddr=") {
            dnsaddrRecords += 1
            let text = String(record.dropFirst("dnsaddr=".count))
            guard text.utf8.count <= limits.maxRecordBytes, let address = try? Multiaddr(text) else {
                unparsable.append(String(text.prefix(80)))
                continue
            }
            // A nested name without /p2p/ may still list the wanted peer: follow it, asking for that peer.
            if let wantedPeer, address.peerID == nil, Self.question(for: address) != nil {
                if let narrowed = try? address.encapsulate(.p2p(wantedPeer)), !produced.contains(narrowed) {
                    produced.append(narrowed)
                }
                continue
            }
            if let wantedPeer, address.peerID != wantedPeer {
                otherPeers += 1
                continue
            }
            guard address.withoutPeerID.components.ends(with: suffix) else { continue }
            if !produced.contains(address) { produced.append(address) }
        }
        guard dnsaddrRecords > 0 else {
            return fail(pending, question, server: server, duration: duration, answers: shown,
                        "\(question.name) has no dnsaddr= TXT records (\(records.count) other)")
        }
        guard !produced.isEmpty else {
            var reason = "no usable dnsaddr record at \(question.name)"
            if let wantedPeer, otherPeers > 0 { reason += ": \(otherPeers) for other peers than \(wantedPeer)" }
            if !unparsable.isEmpty { reason += "; not multiaddrs: \(unparsable.joined(separator: ", "))" }
            return fail(pending, question, server: server, duration: duration, answers: shown, reason)
        }
        let chain = pending.chain + [question.name]
        for address in produced {
            queue.append(Pending(address: address, depth: pending.depth + 1, chain: chain))
        }
        return succeed(pending, question, server: server, duration: duration, answers: shown, produced: produced)
    }

    // MARK: Hops

    private mutating func succeed(
        _ pending: Pending, _ question: DNSQuestion, server: String, duration: Duration, answers: [String], produced: [Multiaddr]
    ) -> NameResolutionHop {
        NameResolutionHop(address: pending.address, question: question.description, server: server, depth: pending.depth,
                          answers: answers, produced: produced, failure: nil, duration: duration)
    }

    private mutating func fail(
        _ pending: Pending, _ question: DNSQuestion, server: String, duration: Duration, answers: [String], _ reason: String
    ) -> NameResolutionHop {
        failures.append(reason)
        return NameResolutionHop(address: pending.address, question: question.description, server: server,
                                 depth: pending.depth, answers: answers, produced: [], failure: reason, duration: duration)
    }

    private mutating func skip(_ pending: Pending, _ question: DNSQuestion, _ reason: String) -> NameResolutionHop {
        failures.append(reason)
        return NameResolutionHop(address: pending.address, question: question.description, server: "(not asked)",
                                 depth: pending.depth, answers: [], produced: [], failure: reason, duration: .zero)
    }

    private mutating func addResolved(_ address: Multiaddr) {
        guard !resolved.contains(address) else { return }
        guard resolved.count < limits.maxAddresses else {
            if failures.last?.hasPrefix("more than") != true {
                failures.append("more than \(limits.maxAddresses) addresses; the rest were dropped")
            }
            return
        }
        resolved.append(address)
    }

    // MARK: Addresses

    /// The question the first name in `address` needs; nil when it has none.
    static func question(for address: Multiaddr) -> DNSQuestion? {
        for component in address.components {
            switch component {
            case .dns(let name): return .addresses(name: name, family: .any)
            case .dns4(let name): return .addresses(name: name, family: .ipv4)
            case .dns6(let name): return .addresses(name: name, family: .ipv6)
            case .dnsaddr(let name): return .txt(name: "_dnsaddr.\(name)")
            default: continue
            }
        }
        return nil
    }

    /// `address` with its first `/dns*` component replaced by `ip`. A name that TLS will check (`/tls`,
    /// `/wss`) is kept as `/sni/<name>`, so the certificate is checked against the name, not the IP.
    static func replacingName(in address: Multiaddr, with ip: ResolvedIPAddress) -> Multiaddr? {
        var components = address.components
        guard let index = components.firstIndex(where: { component in
            switch component {
            case .dns, .dns4, .dns6: return true
            default: return false
            }
        }) else { return nil }
        let name: String
        switch components[index] {
        case .dns(let value), .dns4(let value), .dns6(let value): name = value
        default: return nil
        }
        switch (components[index], ip) {
        case (.dns4, .v6), (.dns6, .v4): return nil
        default: break
        }
        components[index] = ip.component
        if !components.contains(where: { if case .sni = $0 { true } else { false } }) {
            if let tls = components.firstIndex(of: .tls) {
                components.insert(.sni(name), at: tls + 1)
            } else if let wss = components.firstIndex(of: .wss) {
                components.replaceSubrange(wss...wss, with: [.tls, .sni(name), .ws])
            }
        }
        return try? Multiaddr(components: components)
    }
}

extension Array where Element: Equatable {
    fileprivate func ends(with suffix: [Element]) -> Bool {
        suffix.count <= count && Array(self[(count - suffix.count)...]) == suffix
    }
}
