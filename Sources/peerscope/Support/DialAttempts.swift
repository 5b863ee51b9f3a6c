import Node

/// Every address a dial tried and how each ended, for `diagnose`: a peer with several addresses (or a
/// name that resolved to several) is reported address by address, not only by its winner.
struct DialAttempts {
    private var planned: [DialPlanEntry] = []
    private var attempted: [(address: Multiaddr, connection: ConnectionID)] = []
    private var outcomes: [Multiaddr: String] = [:]
    private(set) var winner: ConnectionID?
    private var winnerAddress: Multiaddr?

    init(_ records: [EventRecord<NodeEvent>]) {
        for record in records {
            switch record.event {
            case .dialRanked(_, let plan):
                planned = plan
            case .dialAttempt(_, let id, let address):
                attempted.append((address, id))
            case .dialAttemptFailed(_, let failure):
                outcomes[failure.address] = "\(failure.step): \(failure.reason)"
            case .dialFailed(_, _, let failures):
                for failure in failures where outcomes[failure.address] == nil {
                    outcomes[failure.address] = "\(failure.step): \(failure.reason)"
                }
            case .dialSucceeded(_, let id, _):
                winner = id
                winnerAddress = attempted.first { $0.connection == id }?.address
            default:
                break
            }
        }
    }

    /// A `dial` step when more than one address was in play; nil for a single-address dial.
    var step: DiagnosisStep? {
        guard planned.count > 1 else { return nil }
        let lines = planned.map { entry -> String in
            let outcome: String
            if entry.address == winnerAddress {
                outcome = "connected, \(winner.map(\.description) ?? "?") (its steps follow)"
            } else if let failed = outcomes[entry.address] {
                outcome = failed
            } else if attempted.contains(where: { $0.address == entry.address }) {
                outcome = "started, no outcome reported"
            } else {
                outcome = "not tried"
            }
            return "\(entry.description) → \(outcome)"
        }
        return DiagnosisStep(step: "dial", ok: winner != nil, duration: nil,
                             detail: "\(planned.count) addresses, in ranked order: " + lines.joined(separator: "; "),
                             hint: winner == nil ? "every address failed; the steps below are the first attempt's" : nil)
    }
}
