import Foundation

/// One `py_peer.py dial` scenario; `Report` is what its JSON line decodes to.
struct PythonDialScenario<Report: Decodable & Sendable>: Sendable {
    let arguments: [String]
}

extension PythonDialScenario where Report == PythonEchoReport {
    /// `streams` concurrent `/echo/1.0.0` streams, each sending `bytes` pseudo-random bytes
    /// (seed `dataSeed + index`), half-closing, and checking the echo byte for byte.
    static func echo(streams: Int, bytes: Int, dataSeed: Int = 1) -> Self {
        Self(arguments: [
            "echo", "--streams", String(streams), "--bytes", String(bytes),
            "--data-seed", String(dataSeed),
        ])
    }
}

extension PythonDialScenario where Report == PythonPingReport {
    /// `count` round trips of py's `/ipfs/ping/1.0.0` client on one stream.
    static func ping(count: Int) -> Self {
        Self(arguments: ["ping", "--count", String(count)])
    }
}

extension PythonDialScenario where Report == PythonIdentifyReport {
    /// Reads the remote's `/ipfs/id/1.0.0` message.
    static var identify: Self {
        Self(arguments: ["identify"])
    }
}

extension PythonDialScenario where Report == PythonPerfReport {
    /// `/perf/1.0.0` client: asks for `download` bytes after sending `upload` bytes.
    static func perf(upload: Int, download: Int) -> Self {
        Self(arguments: ["perf", "--upload", String(upload), "--download", String(download)])
    }
}

/// A finished dial: the connection facts every scenario reports, plus the scenario's own.
struct PythonDialResult<Report: Decodable & Sendable>: Sendable {
    let connection: PythonDialConnection
    let report: Report
    /// The JSON line as py printed it.
    let line: String
    let stderr: String

    init(stdout: String, stderr: String) throws {
        let lines = stdout.split(separator: "\n", omittingEmptySubsequences: true)
        guard lines.count == 1, let line = lines.first else {
            throw PythonPeerError.malformedReport(
                stdout: stdout, reason: "expected exactly one line, got \(lines.count)")
        }
        let data = Data(line.utf8)
        do {
            connection = try JSONDecoder().decode(PythonDialConnection.self, from: data)
            report = try JSONDecoder().decode(Report.self, from: data)
        } catch {
            throw PythonPeerError.malformedReport(stdout: stdout, reason: "\(error)")
        }
        self.line = String(line)
        self.stderr = stderr
    }
}

struct PythonDialConnection: Decodable, Sendable, Equatable {
    let scenario: String
    let ok: Bool
    let keyType: String
    let security: String
    let muxer: String
    let localPeerID: String
    let remotePeerID: String
    let connectMilliseconds: Double

    enum CodingKeys: String, CodingKey {
        case scenario, ok, security, muxer
        case keyType = "key_type"
        case localPeerID = "local_peer_id"
        case remotePeerID = "remote_peer_id"
        case connectMilliseconds = "connect_ms"
    }
}

struct PythonEchoReport: Decodable, Sendable, Equatable {
    struct Stream: Decodable, Sendable, Equatable {
        let index: Int
        let seed: Int
        let bytes: Int
        let milliseconds: Double
        /// Of the bytes sent, which py checked came back unchanged.
        let sha256: String

        enum CodingKeys: String, CodingKey {
            case index, seed, bytes, sha256
            case milliseconds = "ms"
        }
    }

    let streams: Int
    let bytesPerStream: Int
    let totalBytes: Int
    let totalMilliseconds: Double
    let megabytesPerSecond: Double?
    let perStream: [Stream]

    enum CodingKeys: String, CodingKey {
        case streams
        case bytesPerStream = "bytes_per_stream"
        case totalBytes = "total_bytes"
        case totalMilliseconds = "total_ms"
        case megabytesPerSecond = "mb_per_s"
        case perStream = "per_stream"
    }
}

struct PythonPingReport: Decodable, Sendable, Equatable {
    let count: Int
    let rttMilliseconds: [Double]
    let minimumMilliseconds: Double
    let medianMilliseconds: Double
    let maximumMilliseconds: Double

    enum CodingKeys: String, CodingKey {
        case count
        case rttMilliseconds = "rtt_ms"
        case minimumMilliseconds = "rtt_min_ms"
        case medianMilliseconds = "rtt_p50_ms"
        case maximumMilliseconds = "rtt_max_ms"
    }
}

struct PythonIdentifyReport: Decodable, Sendable, Equatable {
    let agentVersion: String
    let protocolVersion: String
    let protocols: [String]
    let listenAddrs: [String]
    let observedAddr: String?
    /// The protobuf enum name: `Ed25519`, `Secp256k1`, `RSA`, `ECDSA`, or `unknown(N)`.
    let publicKeyType: String
    /// Derived by py from the key, or `unloadable: …` when py cannot load that key type.
    let publicKeyPeerID: String
    let publicKeyMatchesPeer: Bool
    let hasSignedPeerRecord: Bool
    let messageBytes: Int

    enum CodingKeys: String, CodingKey {
        case protocols
        case agentVersion = "agent_version"
        case protocolVersion = "protocol_version"
        case listenAddrs = "listen_addrs"
        case observedAddr = "observed_addr"
        case publicKeyType = "public_key_type"
        case publicKeyPeerID = "public_key_peer_id"
        case publicKeyMatchesPeer = "public_key_matches_peer"
        case hasSignedPeerRecord = "has_signed_peer_record"
        case messageBytes = "message_bytes"
    }
}

struct PythonPerfReport: Decodable, Sendable, Equatable {
    let uploadBytes: Int
    let downloadBytes: Int
    /// From the request header to our FIN being written.
    let uploadMilliseconds: Double
    /// From our FIN to the server's end of stream.
    let downloadMilliseconds: Double
    let totalMilliseconds: Double
    let uploadMegabytesPerSecond: Double?
    let downloadMegabytesPerSecond: Double?

    enum CodingKeys: String, CodingKey {
        case uploadBytes = "upload_bytes"
        case downloadBytes = "download_bytes"
        case uploadMilliseconds = "upload_ms"
        case downloadMilliseconds = "download_ms"
        case totalMilliseconds = "total_ms"
        case uploadMegabytesPerSecond = "upload_mb_per_s"
        case downloadMegabytesPerSecond = "download_mb_per_s"
    }
}
