import Foundation
import Node

/// Connect percentiles per run, in milliseconds, per security protocol.
struct KuboRuns: Sendable {
    struct Percentiles: Sendable {
        var p50: [Double] = []
        var p99: [Double] = []
    }

    /// peerscope dialing a kubo node.
    var ours: [String: Percentiles] = [:]
    /// kubo dialing a kubo node (`ConnectToPeer` timed inside the control process).
    var kubo: [String: Percentiles] = [:]
}

enum KuboBenchmarkError: Error, CustomStringConvertible {
    case refused(String, line: String)

    var description: String {
        switch self {
        case .refused(let command, let line): "kubo_peer.py \(command): \(line.prefix(400))"
        }
    }
}

/// Figure 10: connect time to kubo 0.22.0 (go-libp2p v0.29.2) over TCP + {Noise, TLS} + yamux and QUIC-v1, ours and
/// kubo's own, in the same minutes. Nodes come from Tests/Interop/kubo_peer.py (offline, loopback only).
enum KuboBaselines {
    /// TCP with each security protocol (and yamux), and QUIC-v1 (its own TLS and streams).
    static let protocols = ["noise", "tls", "quic"]

    static func stackLabel(_ name: String) -> String { name == "quic" ? "QUIC-v1" : "TCP+\(name)+yamux" }

    static func measure(_ context: BenchContext, _ python: PythonSetup) async throws -> KuboRuns {
        let script = python.benchScript.deletingLastPathComponent().appendingPathComponent("kubo_peer.py")
        let control = ChildProcess(name: "kubo_peer.py", executable: python.interpreter, arguments: [script.path],
                                   logDirectory: context.logDirectory)
        try await control.launch()
        do {
            _ = try await call(control, #"{"cmd":"hello"}"#, within: .seconds(60))
            let runs = try await measure(context, control)
            await control.stop(grace: .seconds(15))
            return runs
        } catch {
            await control.stop(grace: .seconds(5))
            throw error
        }
    }

    private static func measure(_ context: BenchContext, _ control: ChildProcess) async throws -> KuboRuns {
        let count = context.quick ? 3 : 30
        var runs = KuboRuns()
        for _ in 0..<context.sizes.runs {
            for security in protocols {
                let quic = security == "quic"
                let stack = quic ? #""transport":"quic""# : #""security":["\#(security)"],"muxer":["yamux"]"#
                let bench = try await call(
                    control, #"{"cmd":"connect_bench","count":\#(count),\#(stack)}"#,
                    within: .seconds(60 + 30 * Double(count)))
                let theirs = (bench["connect_ms"] as? [Double]) ?? []
                runs.kubo[security, default: .init()].p50.append(Percentile.of(theirs, 50))
                runs.kubo[security, default: .init()].p99.append(Percentile.of(theirs, 99))

                let startStack = quic ? "" : #","security":["\#(security)"],"muxer":["yamux"]"#
                let node = try await call(control, #"{"cmd":"start"\#(startStack)}"#, within: .seconds(70))
                let addresses = (node["addrs"] as? [String]) ?? []
                guard let number = node["node"] as? Int,
                      let address = addresses.first(where: { quic ? $0.contains("/quic-v1") : $0.contains("/tcp/") && !$0.contains("/ws") })
                else { throw KuboBenchmarkError.refused("start", line: "\(node)") }
                let ours = try await withClientHost(security: quic ? "noise" : security) { host in
                    let target = try Multiaddr(address)
                    _ = try await ConnectionBenchmarks.connectLatencies(host, target, count: 3, ping: false)
                    return try await ConnectionBenchmarks.connectLatencies(host, target, count: count, ping: false)
                }
                _ = try await call(control, #"{"cmd":"stop","node":\#(number)}"#, within: .seconds(30))
                runs.ours[security, default: .init()].p50.append(Percentile.of(ours, 50))
                runs.ours[security, default: .init()].p99.append(Percentile.of(ours, 99))
            }
        }
        return runs
    }

    private static func call(_ control: ChildProcess, _ command: String, within timeout: Duration) async throws -> [String: Any] {
        let line = try await control.request(command, within: timeout)
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              object["ok"] as? Bool == true
        else { throw KuboBenchmarkError.refused(command, line: line) }
        return object
    }
}
