import Foundation
import Node

/// One line of a `diagnose` report.
struct DiagnosisStep: Sendable {
    let step: String
    let ok: Bool
    /// How long this step took (nil when it never finished, e.g. it failed by timeout).
    let duration: Duration?
    var detail: String
    var expected: String?
    var got: String?
    var hint: String?

    var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("step", .string(step)), ("ok", .bool(ok)),
            ("ms", duration.map(JSONValue.milliseconds) ?? .null), ("detail", .string(detail)),
        ]
        if let expected { fields.append(("expected", .string(expected))) }
        if let got { fields.append(("got", .string(got))) }
        if let hint { fields.append(("hint", .string(hint))) }
        return .object(fields)
    }

    var human: String {
        let mark = ok ? "ok  " : "FAIL"
        let time = duration.map { String(format: "%9.3f ms", $0.milliseconds) } ?? "        – ms"
        var text = "\(mark) \(step.padding(toLength: 11, withPad: " ", startingAt: 0)) \(time)  \(detail)"
        if let expected { text += "\n     expected: \(expected)" }
        if let got { text += "\n     got:      \(got)" }
        if let hint { text += "\n     hint:     \(hint)" }
        return text
    }
}

/// Turns the node's own events of one dial into the steps of a `diagnose` report: the upgrade
/// timeline is exactly the host's `upgradeStep` events, so nothing here re-implements the upgrade.
struct UpgradeTimeline {
    private(set) var steps: [DiagnosisStep] = []
    /// The connection of our dial attempt, once it started.
    private(set) var connection: ConnectionID?
    private var attemptAt: ContinuousClock.Instant?
    private var lastOffset: Duration = .zero
    private var proposedSecurity: [String] = []
    private var proposedLazily = false
    private var proposedMuxers: [String] = []
    private var handshakeMessages: [String] = []
    /// When the peer's last handshake message before its key was checked arrived: the security step
    /// ends there and the peer-ID check begins.
    private var lastReceivedHandshakeOffset: Duration?
    /// Short name of the negotiated security protocol (`noise`, `tls`), or the first proposed one.
    private var securityName = "security"
    private var expectedPeer: PeerID?
    /// DNS hops seen before the first attempt (steps once the dial goes on or fails).
    private var resolutionHops: [NameResolutionHop] = []
    private(set) var failed = false

    /// The attempt whose steps are reported: the winner of a multi-address dial, else the first attempt.
    private let follow: ConnectionID?

    init(expectedPeer: PeerID?, follow: ConnectionID? = nil) {
        self.expectedPeer = expectedPeer
        self.follow = follow
    }

    /// The step that runs next, for a failure that has no event of its own (our time limit).
    var pendingStep: String {
        guard connection != nil else { return resolutionHops.isEmpty ? "tcp" : resolutionHops[resolutionHops.count - 1].stepName }
        switch steps.last?.step ?? "" {
        case "tcp", "ws", "ws-tls": return "multistream"
        case "multistream": return securityName
        case securityName: return "peer_id"
        case "peer_id", "muxer": return "muxer"
        default: return "tcp"
        }
    }

    mutating func consume(_ record: EventRecord<NodeEvent>) {
        switch record.event {
        case .dialNameResolved(_, let hop) where connection == nil:
            resolutionHops.append(hop)
        case .dialAttempt(_, let id, _) where connection == nil && (follow == nil || follow == id):
            // Names resolved to at least this address: a hop that failed on the way did not stop the dial.
            flushResolution(dialGoesOn: true)
            connection = id
            attemptAt = record.time
        case .upgradeStep(let id, let step, let offset) where id == connection:
            consume(step, offset: offset, at: record.time)
        case .upgradeFailed(let id, _, let error, let offset) where id == connection:
            fail(with: error, offset: offset)
        case .dialFailed(_, _, let failures):
            if connection == nil, !resolutionHops.isEmpty || failures.contains(where: { $0.step == "dns" || $0.step == "dnsaddr" }) {
                flushResolution(dialGoesOn: false)
                if !steps.contains(where: { !$0.ok }) {
                    for failure in failures {
                        steps.append(DiagnosisStep(step: failure.step, ok: false, duration: nil, detail: "\(failure.address): \(failure.reason)"))
                    }
                }
                failed = true
            }
            if !failed, let failure = failures.first(where: { $0.connectionID == connection }) ?? failures.first,
               Self.transportSteps.contains(failure.step) {
                failed = true
                let duration = attemptAt.map { record.time - $0 }
                let hint = failure.step == "tcp" || failure.step == "address" ? Self.tcpHint(failure.reason) : Self.webSocketHint(failure.reason)
                steps.append(DiagnosisStep(step: failure.step == "address" ? "tcp" : failure.step, ok: false, duration: duration,
                                           detail: failure.reason, hint: hint))
            }
        default:
            break
        }
    }

    /// DNS hops, one step each, once it is known whether the dial went on: a hop that failed while
    /// another produced an address is reported as passed over, not as the failure.
    private mutating func flushResolution(dialGoesOn: Bool) {
        for hop in resolutionHops {
            let depth = hop.depth > 0 ? " (record of a record, depth \(hop.depth))" : ""
            if let failure = hop.failure {
                var step = DiagnosisStep(step: hop.stepName, ok: dialGoesOn, duration: hop.duration,
                                         detail: "\(hop.question) via \(hop.server)\(depth): \(dialGoesOn ? "passed over: " : "")\(failure)")
                if !dialGoesOn { step.hint = Self.resolutionHint(failure) }
                steps.append(step)
            } else {
                let produced = hop.produced.map(\.description).joined(separator: ", ")
                steps.append(DiagnosisStep(step: hop.stepName, ok: true, duration: hop.duration,
                                           detail: "\(hop.question) via \(hop.server)\(depth) → \(hop.answers.joined(separator: ", ")); next: \(produced)"))
            }
        }
        resolutionHops = []
    }

    private static func resolutionHint(_ failure: String) -> String? {
        if failure.contains("NXDOMAIN") { return "the name does not exist: check its spelling, or ask another server with --dns-server" }
        if failure.contains("no answer") || failure.contains("within") {
            return "the DNS server did not answer: is it reachable? (--dns-server IP:PORT asks one directly)"
        }
        if failure.contains("REFUSED") { return "the server refused: it serves neither this name nor recursion to us; ask a resolver that does" }
        if failure.contains("SERVFAIL") { return "the server could not get an answer (its upstream or the zone is broken)" }
        if failure.contains("loop") { return "the dnsaddr records point back at a name already followed" }
        if failure.contains("over the limit") { return "the name has more records than peerscope reads for one question" }
        if failure.contains("other peers") { return "the name lists addresses, but none for the /p2p/ ID given" }
        return nil
    }

    private mutating func consume(_ step: UpgradeStep, offset: Duration, at time: ContinuousClock.Instant) {
        let since = offset - lastOffset
        switch step {
        case .transport(.connected(_, let local, let remote)):
            let duration = attemptAt.map { time - $0 }
            steps.append(DiagnosisStep(step: "tcp", ok: true, duration: duration,
                                       detail: "connected \(local?.description ?? "?") → \(remote?.description ?? "?")"))
            lastOffset = offset
        case .transport(.handshakeMessage(let message)):
            // A transport's own handshake (WebSocket upgrade, its TLS): one step per layer, its messages in order.
            let arrow = message.direction == .sent ? "→" : "←"
            let line = "\(arrow) \(message.content) at +\(offset.formattedShort)"
            if let index = steps.indices.last, steps[index].step == message.protocolName {
                steps[index] = DiagnosisStep(step: message.protocolName, ok: true,
                                             duration: (steps[index].duration ?? .zero) + since,
                                             detail: steps[index].detail + "; " + line)
            } else {
                steps.append(DiagnosisStep(step: message.protocolName, ok: true, duration: since, detail: line))
            }
            lastOffset = offset
        case .security(.proposed(let protocols, let lazy)):
            proposedSecurity = protocols
            proposedLazily = lazy
            if let first = protocols.first { securityName = Self.shortName(first) }
        case .security(.negotiated(let name)):
            securityName = Self.shortName(name)
            let lazily = proposedLazily ? " (lazily, with the first \(Self.titled(securityName)) message)" : ""
            steps.append(DiagnosisStep(step: "multistream", ok: true, duration: since,
                                       detail: "proposed \(proposedSecurity.joined(separator: ", "))\(lazily); the peer answered \(name)"))
            lastOffset = offset
        case .security(.handshakeMessage(let message)):
            let arrow = message.direction == .sent ? "→" : "←"
            // Numbered wire messages carry their size; a protocol's own notes (a verified certificate) do not.
            let number = message.number > 0 ? "\(message.number) " : ""
            let size = message.bytes > 0 ? " (\(message.bytes) B)" : ""
            handshakeMessages.append("\(arrow) \(number)\(message.content)\(size) at +\(offset.formattedShort)")
            if message.direction == .received, !steps.contains(where: { $0.step == securityName }) {
                lastReceivedHandshakeOffset = offset
            }
            // Messages after the peer's key was checked (Noise's last, TLS Finished) still belong to
            // the handshake's step.
            if let index = steps.firstIndex(where: { $0.step == securityName }) {
                steps[index].detail = handshakeDetail
            }
        case .security(.peerVerified(let peer, let keyType)):
            // A transport that secures itself (QUIC) has no security messages of its own: its handshake is its step.
            if !handshakeMessages.isEmpty, !steps.contains(where: { $0.step == securityName }) {
                addSecurityStep(lastReceivedHandshakeOffset ?? offset)
            }
            let match = expectedPeer == nil ? "no peer ID in the address: accepted as proven"
                : "matches the dialed peer ID"
            steps.append(DiagnosisStep(step: "peer_id", ok: true, duration: offset - lastOffset,
                                       detail: "\(peer) (\(keyType.name) key) \(match)"))
            lastOffset = offset
        case .muxer(.proposed(let protocols)):
            proposedMuxers = protocols
        case .muxer(.negotiated(let name, let earlyIn)):
            let how = name == "quic" ? "QUIC's own streams (no muxer to negotiate)"
                : earlyIn.map { "early, inside the \(Self.titled($0)) handshake (no extra round trip)" }
                ?? "multistream after \(Self.titled(securityName)) (proposed \(proposedMuxers.joined(separator: ", ")))"
            steps.append(DiagnosisStep(step: "muxer", ok: true, duration: since, detail: "\(name), \(how)"))
            lastOffset = offset
        case .ready:
            break
        }
    }

    private mutating func addSecurityStep(_ offset: Duration) {
        steps.append(DiagnosisStep(step: securityName, ok: true, duration: offset - lastOffset, detail: handshakeDetail))
        lastOffset = offset
    }

    private var handshakeDetail: String { handshakeMessages.joined(separator: "; ") }

    private mutating func fail(with error: UpgradeError, offset: Duration) {
        guard !failed else { return }
        failed = true
        if !steps.contains(where: { $0.step == "tcp" }) {
            // An upgrade error means TCP connected, even if its step event was not seen.
            steps.append(DiagnosisStep(step: "tcp", ok: true, duration: nil, detail: "connected"))
        }
        // The handshake's messages came through but what they proved was refused: the handshake step
        // passed and the peer-ID step failed.
        let provesWrongPeer: Bool
        switch error.kind {
        case .peerIDMismatch, .authenticationFailed: provesWrongPeer = true
        default: provesWrongPeer = false
        }
        let step: String
        switch error.phase {
        case .securityNegotiation: step = "multistream"
        case .peerVerification:
            if !steps.contains(where: { $0.step == securityName }), let received = lastReceivedHandshakeOffset {
                addSecurityStep(received)
            }
            step = "peer_id"
        case .muxerNegotiation, .muxerStart: step = "muxer"
        case let phase where phase.isSecurityHandshake:
            if steps.contains(where: { $0.step == securityName }) {
                step = "peer_id"
            } else if provesWrongPeer, let received = lastReceivedHandshakeOffset {
                addSecurityStep(received)
                step = "peer_id"
            } else {
                step = securityName
            }
        default: step = "tcp"
        }
        var failure = DiagnosisStep(step: step, ok: false, duration: offset - lastOffset,
                                    detail: Self.summary(of: error), expected: error.expected, got: error.got)
        switch error.kind {
        case .noCommonProtocol where step == "multistream":
            let proposed = proposedSecurity.joined(separator: " or ")
            failure.hint = "the peer does not speak \(proposed): we proposed \(proposed) and it answered na (it may speak only security protocols we do not: plaintext, secio)"
        case .noCommonProtocol:
            failure.hint = "the peer does not speak \(proposedMuxers.joined(separator: " or ")): we proposed it and it answered na"
        case .peerIDMismatch(let expected, let actual):
            failure.hint = "peer ID mismatch: dialed \(expected), the key proves \(actual)"
        case .timedOut(let after) where step == "multistream":
            failure.hint = "the peer accepted TCP but sent nothing for \(after.formattedShort): it does not speak multistream-select (not a libp2p TCP port?)"
        case .timedOut(let after):
            failure.hint = "no answer within \(after.formattedShort)"
        case .connectionClosed:
            failure.hint = "the peer closed the connection during \(error.phase)"
        default:
            break
        }
        steps.append(failure)
    }

    /// Our own time limit ran out before the node reported a failure.
    mutating func failByTimeout(_ limit: Duration, elapsedSinceStart: Duration) {
        if connection == nil { flushResolution(dialGoesOn: false) }
        guard !failed else { return }
        failed = true
        let step = pendingStep
        var failure = DiagnosisStep(step: step, ok: false, duration: nil,
                                    detail: "no progress before the --timeout of \(limit.formattedShort)")
        if step == "multistream" {
            failure.expected = "the multistream-select header \"/multistream/1.0.0\""
            failure.got = "nothing"
            failure.hint = "the peer accepted TCP but sent nothing: it does not speak multistream-select (not a libp2p TCP port?)"
        }
        steps.append(failure)
    }

    /// A failure outside the upgrade (e.g. the host refused the connection by a limit).
    mutating func failOther(_ step: String, _ reason: String) {
        if connection == nil { flushResolution(dialGoesOn: false) }
        guard !failed else { return }
        failed = true
        steps.append(DiagnosisStep(step: step, ok: false, duration: nil, detail: reason))
    }

    /// The failure in a few words; `expected`, `got` and the hint carry the rest.
    private static func summary(of error: UpgradeError) -> String {
        switch error.kind {
        case .noCommonProtocol: return "\(error.phase): no protocol in common"
        case .peerIDMismatch: return "\(error.phase): the key proves another peer"
        case .timedOut: return error.description
        default: return "\(error.phase) failed"
        }
    }

    /// "noise" → "Noise", "tls" → "TLS".
    private static func titled(_ name: String) -> String {
        name.count <= 3 ? name.uppercased() : name.prefix(1).uppercased() + name.dropFirst()
    }

    /// "/noise" → "noise", "/tls/1.0.0" → "tls".
    private static func shortName(_ protocolID: String) -> String {
        protocolID.split(separator: "/").first.map(String.init) ?? protocolID
    }

    /// Dial failures a transport reports before the upgrade could start.
    static let transportSteps: Set<String> = ["tcp", "address", "ws", "ws-tls", "quic"]

    static func webSocketHint(_ reason: String) -> String? {
        if reason.contains("not parse as HTTP") { return "the port answered, but not in HTTP: it is probably a plain libp2p TCP port (dial it without /ws)" }
        if reason.contains("upgrade refused") { return "an HTTP server answered but would not switch to WebSocket: is this the peer's /ws port and path?" }
        if reason.contains("Sec-WebSocket-Accept") { return "something between us and the peer (a proxy?) answered the upgrade for it" }
        if reason.contains("certificate") || reason.contains("TLS") { return "the /wss certificate is not trusted for this name (self-signed? add its CA with --wss-trust FILE)" }
        if reason.contains("timed out") { return "TCP connected but the WebSocket upgrade got no answer in time" }
        return nil
    }

    static func tcpHint(_ reason: String) -> String? {
        if reason.hasPrefix("connection refused") { return "is the peer running, and on this port?" }
        if reason.contains("timed out") { return "no answer to the TCP SYN: a firewall, or the host is down" }
        return nil
    }
}
