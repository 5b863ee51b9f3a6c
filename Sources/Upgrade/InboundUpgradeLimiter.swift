import NIOConcurrencyHelpers
import Multistream
import Core

/// Counts inbound upgrades in flight, in total and per remote IP, so a flood of slow or silent
/// connections from one place costs a bounded number of slots and never blocks anyone else.
package final class InboundUpgradeLimiter: Sendable {
    private struct State {
        var total = 0
        var perIP: [String: Int] = [:]
    }

    private let state = NIOLockedValueBox(State())
    let maxTotal: Int
    let maxPerIP: Int

    package init(maxTotal: Int, maxPerIP: Int) {
        self.maxTotal = maxTotal
        self.maxPerIP = maxPerIP
    }

    /// Takes a slot for `ip`, or says which limit refused it.
    package func acquire(ip: String) -> LimitRejection? {
        state.withLockedValue { state in
            if state.total >= maxTotal {
                return LimitRejection(limit: "max inbound upgrades in flight", value: maxTotal,
                                      detail: "\(state.total) connections are still upgrading")
            }
            let fromIP = state.perIP[ip, default: 0]
            if fromIP >= maxPerIP {
                return LimitRejection(limit: "max inbound upgrades in flight per IP", value: maxPerIP,
                                      detail: "\(fromIP) connections from \(ip) are still upgrading")
            }
            state.total += 1
            state.perIP[ip] = fromIP + 1
            return nil
        }
    }

    package func release(ip: String) {
        state.withLockedValue { state in
            state.total -= 1
            let remaining = state.perIP[ip, default: 1] - 1
            state.perIP[ip] = remaining > 0 ? remaining : nil
        }
    }

    var inFlight: Int { state.withLockedValue { $0.total } }
}
