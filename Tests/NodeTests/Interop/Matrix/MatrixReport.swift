import Foundation

/// The `checks` object a peer harness prints for one matrix cell (py_peer.py `dial … matrix`,
/// kubo_peer.py): check name → ok, and a detail or an error.
struct MatrixReport: Decodable, Sendable {
    struct Check: Decodable, Sendable {
        let ok: Bool
        let error: String?
    }

    let checks: [String: Check]

    /// Our outcome type, with a check the harness did not report counted as failed.
    var outcomes: [String: InteropCheckOutcome] {
        var result: [String: InteropCheckOutcome] = [:]
        for name in InteropCell.checks {
            guard let check = checks[name] else {
                result[name] = .failed(reason: "the peer's harness did not report this check")
                continue
            }
            result[name] = check.ok ? .passed(detail: "") : .failed(reason: check.error ?? "failed without a reason")
        }
        return result
    }
}

extension PythonDialScenario where Report == MatrixReport {
    /// Ping, identify, one `echoBytes` echo and `streams` concurrent echoes of `streamBytes`, on one connection.
    static func matrix(echoBytes: Int = 1 << 20, streams: Int = 10, streamBytes: Int = 64 * 1024) -> Self {
        Self(arguments: [
            "matrix", "--echo-bytes", String(echoBytes), "--streams", String(streams),
            "--stream-bytes", String(streamBytes),
        ])
    }
}
