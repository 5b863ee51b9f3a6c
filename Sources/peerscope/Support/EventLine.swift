import Node

/// One node event as one line: readable text, or a JSON object whose `"type"` names the event.
/// IDs print as `c3` (connection), `d2` (dial); `t_ms` counts from the node's start.
struct EventLine {
    let type: String
    let fields: [(String, JSONValue)]
    let text: String

    func json(at elapsed: Duration) -> String {
        JSONValue.object([("type", .string(type)), ("t_ms", .milliseconds(elapsed))] + fields).rendered
    }

    func human(at elapsed: Duration) -> String {
        "\(String(format: "%9.3f", elapsed.secondsValue))s  \(text)"
    }

    // swiftlint:disable:next cyclomatic_complexity function_body_length
    init(_ event: NodeEvent) {
        switch event {
        case .listening(let address):
            self.init("listening", [("address", .string(address.description))], "listening on \(address)")
        case .listenFailed(let address, let reason):
            self.init("listen_failed", [("address", .string(address.description)), ("reason", .string(reason))],
                      "listen on \(address) failed: \(reason)")
        case .listenerClosed(let address):
            self.init("listener_closed", [("address", .string(address.description))], "stopped listening on \(address)")
        case .dialStarted(let dial, let peer, let addresses):
            self.init("dial_started", [("dial", .string(dial.description)), ("peer", .optional(peer?.base58)),
                                       ("addresses", .strings(addresses.map(\.description)))],
                      "\(dial) dial \(peer?.base58 ?? "unknown peer") over \(addresses.count) address(es)")
        case .dialNameResolved(let dial, let hop):
            var fields: [(String, JSONValue)] = [
                ("dial", .string(dial.description)), ("address", .string(hop.address.description)),
                ("step", .string(hop.stepName)), ("question", .string(hop.question)), ("server", .string(hop.server)),
                ("depth", .integer(Int64(hop.depth))), ("answers", .strings(hop.answers)),
                ("produced", .strings(hop.produced.map(\.description))), ("ms", .milliseconds(hop.duration)),
            ]
            fields.append(("failure", .optional(hop.failure)))
            self.init("dial_name_resolved", fields, "\(dial) \(hop.stepName) \(hop)")
        case .dialRanked(let dial, let plan):
            let entries = plan.map { entry in
                JSONValue.object([("address", .string(entry.address.description)), ("delay_ms", .milliseconds(entry.delay)),
                                  ("reason", .string(entry.reason))])
            }
            self.init("dial_ranked", [("dial", .string(dial.description)), ("plan", .array(entries))],
                      "\(dial) plan: " + plan.map(\.description).joined(separator: "; "))
        case .dialAttempt(let dial, let connection, let address):
            self.init("dial_attempt", [("dial", .string(dial.description)), ("connection", .string(connection.description)),
                                       ("address", .string(address.description))],
                      "\(dial) \(connection) trying \(address)")
        case .dialAttemptFailed(let dial, let failure):
            self.init("dial_attempt_failed", [("dial", .string(dial.description)), ("failure", Self.failure(failure))],
                      "\(dial) attempt failed: \(failure)")
        case .dialSucceeded(let dial, let connection, let peer):
            self.init("dial_succeeded", [("dial", .string(dial.description)), ("connection", .string(connection.description)),
                                         ("peer", .string(peer.base58))],
                      "\(dial) \(connection) connected to \(peer)")
        case .dialFailed(let dial, let peer, let failures):
            self.init("dial_failed", [("dial", .string(dial.description)), ("peer", .optional(peer?.base58)),
                                      ("failures", .array(failures.map(Self.failure)))],
                      "\(dial) dial failed: " + failures.map(\.description).joined(separator: "; "))
        case .dialReusedConnection(let dial, let connection, let peer):
            self.init("dial_reused", [("dial", .string(dial.description)), ("connection", .string(connection.description)),
                                      ("peer", .string(peer.base58))],
                      "\(dial) \(connection) reused for \(peer)")
        case .inboundAccepted(let connection, let remote, let local):
            self.init("inbound_accepted", [("connection", .string(connection.description)),
                                           ("remote", .optional(remote?.description)), ("local", .optional(local?.description))],
                      "\(connection) inbound from \(remote?.description ?? "?")")
        case .inboundRejected(let remote, let limit):
            self.init("inbound_rejected", [("remote", .optional(remote?.description)), ("limit", .string(limit.description))],
                      "inbound from \(remote?.description ?? "?") rejected: \(limit)")
        case .inboundFailed(let failure):
            self.init("inbound_failed", [("remote", .optional(failure.remoteAddress?.description)),
                                         ("local", .optional(failure.localAddress?.description)),
                                         ("step", .string(failure.step)), ("error", .string(failure.reason))],
                      "inbound from \(failure.remoteAddress?.description ?? "?") failed in \(failure.step): \(failure.reason)")
        case .upgradeStep(let connection, let step, let offset):
            self.init("upgrade_step", [("connection", .string(connection.description)), ("step", .string(step.label)),
                                       ("offset_ms", .milliseconds(offset))],
                      "\(connection) +\(offset.formattedShort) \(step.label)")
        case .upgradeFailed(let connection, let direction, let error, let offset):
            self.init("upgrade_failed", [("connection", .string(connection.description)),
                                         ("direction", .string(direction.rawValue)), ("phase", .string(error.phase.rawValue)),
                                         ("expected", .string(error.expected)), ("got", .string(error.got)),
                                         ("error", .string(error.description)), ("offset_ms", .milliseconds(offset))],
                      "\(connection) upgrade failed: \(error)")
        case .connectionEstablished(let summary):
            self.init("connection_established", [
                ("connection", .string(summary.id.description)), ("peer", .string(summary.peer.base58)),
                ("direction", .string(summary.direction.rawValue)), ("remote", .optional(summary.remoteAddress?.description)),
                ("security", .string(summary.security)), ("muxer", .string(summary.muxer)),
                ("early_muxer", .bool(summary.earlyMuxerNegotiation)), ("upgrade_ms", .milliseconds(summary.upgradeDuration)),
            ], "\(summary.id) \(summary.direction.rawValue) connection to \(summary.peer) ready (\(summary.security), \(summary.muxer), \(summary.upgradeDuration.formattedShort))")
        case .connectionClosed(let connection, let peer, let cause):
            self.init("connection_closed", [("connection", .string(connection.description)), ("peer", .string(peer.base58)),
                                            ("cause", .string(cause.description))],
                      "\(connection) closed: \(cause)")
        case .connectionRejected(let connection, let peer, let limit):
            self.init("connection_rejected", [("connection", .string(connection.description)), ("peer", .string(peer.base58)),
                                              ("limit", .string(limit.description))],
                      "\(connection) rejected: \(limit)")
        case .streamOpened(let connection, let stream, let direction):
            self.init("stream_opened", Self.stream(connection, stream) + [("direction", .string(direction.rawValue))],
                      "\(connection) stream \(stream) opened (\(direction.rawValue))")
        case .streamProtocolNegotiated(let connection, let stream, let name):
            self.init("stream_protocol", Self.stream(connection, stream) + [("protocol", .string(name))],
                      "\(connection) stream \(stream) speaks \(name)")
        case .streamNegotiationFailed(let connection, let stream, let reason):
            self.init("stream_negotiation_failed", Self.stream(connection, stream) + [("reason", .string(reason))],
                      "\(connection) stream \(stream) negotiation failed: \(reason)")
        case .streamClosed(let connection, let stream, let name, let cause, let reset):
            self.init("stream_closed", Self.stream(connection, stream) + [
                ("protocol", .optional(name)), ("cause", .string(cause)), ("reset", .bool(reset)),
            ], "\(connection) stream \(stream) \(reset ? "reset" : "closed") (\(name ?? "no protocol")): \(cause)")
        case .streamRejected(let connection, let stream, let limit):
            self.init("stream_rejected", Self.stream(connection, stream) + [("limit", .string(limit.description))],
                      "\(connection) stream \(stream) rejected: \(limit)")
        case .streamSendWindowExhausted(let connection, let stream):
            self.init("stream_window_exhausted", Self.stream(connection, stream),
                      "\(connection) stream \(stream) waits for send window")
        case .identifyCompleted(let connection, let peer, let summary):
            self.init("identify", [
                ("connection", .string(connection.description)), ("peer", .string(peer.base58)),
                ("agent_version", .optional(summary.agentVersion)), ("protocol_version", .optional(summary.protocolVersion)),
                ("protocols", .strings(summary.protocols)), ("listen_addrs", .strings(summary.listenAddresses.map(\.description))),
                ("observed_addr", .optional(summary.observedAddress?.description)),
            ], "\(connection) identified \(peer): \(summary.agentVersion ?? "no agent"), \(summary.protocols.count) protocols")
        case .identifyFailed(let connection, let peer, let reason):
            self.init("identify_failed", [("connection", .string(connection.description)), ("peer", .string(peer.base58)),
                                          ("reason", .string(reason))],
                      "\(connection) identify of \(peer) failed: \(reason)")
        case .pingRTT(let connection, let peer, let rtt):
            self.init("ping", [("connection", .string(connection.description)), ("peer", .string(peer.base58)),
                               ("rtt_ms", .milliseconds(rtt))],
                      "\(connection) ping \(peer): \(rtt.formattedShort)")
        case .pingFailed(let connection, let peer, let reason):
            self.init("ping_failed", [("connection", .string(connection.description)), ("peer", .string(peer.base58)),
                                      ("reason", .string(reason))],
                      "\(connection) ping \(peer) failed: \(reason)")
        case .peerProtocolsChanged(let peer, let added, let removed):
            self.init("peer_protocols_changed", [("peer", .string(peer.base58)), ("added", .strings(added)),
                                                 ("removed", .strings(removed))],
                      "\(peer) protocols +[\(added.joined(separator: ", "))] -[\(removed.joined(separator: ", "))]")
        case .shutDown:
            self.init("shut_down", [], "node shut down")
        }
    }

    private init(_ type: String, _ fields: [(String, JSONValue)], _ text: String) {
        self.type = type
        self.fields = fields
        self.text = text
    }

    private static func stream(_ connection: ConnectionID, _ stream: UInt64) -> [(String, JSONValue)] {
        [("connection", .string(connection.description)), ("stream", .integer(Int64(stream)))]
    }

    private static func failure(_ failure: DialFailure) -> JSONValue {
        .object([("address", .string(failure.address.description)), ("connection", .optional(failure.connectionID?.description)),
                 ("step", .string(failure.step)), ("reason", .string(failure.reason))])
    }
}
