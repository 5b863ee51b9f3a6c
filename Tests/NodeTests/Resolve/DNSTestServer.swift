import Foundation
import Glibc
import Multiformats
import NIOConcurrencyHelpers
@testable import Resolve

/// dnsmasq (Debian's dnsmasq-base, installed by scripts/bootstrap.sh) on a free loopback port,
/// authoritative for `.test` (unknown names are NXDOMAIN) and never forwarding anywhere: it has no
/// upstream servers and reads neither /etc/resolv.conf nor /etc/hosts.
///
/// It runs as a daemon (stopped through its pid file), not as a child of the tests: with dnsmasq as a
/// live child that had answered a query, Foundation's Process stopped reaping other children here (a
/// `peerscope` run then never "finished"; seen with swift-corelibs-foundation of Swift 6.3).
final class DNSTestServer: @unchecked Sendable {
    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    static let executable = "/usr/sbin/dnsmasq"

    let port: UInt16
    private let pid: Int32
    private let directory: URL
    private let stopped = NIOLockedValueBox(false)

    var server: DNSServer { .server(IPv4Address(127, 0, 0, 1), port: port) }
    var argument: String { "127.0.0.1:\(port)" }

    /// `records`: dnsmasq lines such as `host-record=peer.test,127.0.0.1` or
    /// `txt-record=_dnsaddr.x.test,"dnsaddr=/ip4/…"`.
    static func start(records: [String]) async throws -> DNSTestServer {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw Unavailable(description: "\(executable) not found: run scripts/bootstrap.sh (Debian package dnsmasq-base)")
        }
        var lastError = ""
        for _ in 0..<5 {
            let port = try freeLoopbackPort()
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("peerscope-dns-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let pidFile = directory.appendingPathComponent("dnsmasq.pid")
            let logFile = directory.appendingPathComponent("dnsmasq.log")
            let configuration = [
                "port=\(port)", "listen-address=127.0.0.1", "bind-interfaces", "no-resolv", "no-hosts", "no-poll",
                "local=/test/", "log-facility=\(logFile.path)", "pid-file=\(pidFile.path)", "user=\(NSUserName())",
                "host-record=ready.test,127.0.0.1",
            ] + records
            let file = directory.appendingPathComponent("dnsmasq.conf")
            try (configuration.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
            let launcher = ChildProcess(executable: URL(fileURLWithPath: executable), arguments: ["--conf-file=\(file.path)"])
            try await launcher.launch()
            // The launching process exits once the daemon has bound its sockets and written its pid.
            let launched = await launcher.wait(within: .seconds(10), until: \.isFinished)
            let text = (try? String(contentsOf: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            guard launched?.exit?.value == 0, let pid = text.flatMap({ Int32($0) }), pid > 0 else {
                lastError = launcher.snapshot().stderrText + ((try? String(contentsOf: logFile, encoding: .utf8)) ?? "")
                await launcher.stop(grace: .seconds(1))
                try? FileManager.default.removeItem(at: directory)
                continue
            }
            let server = DNSTestServer(port: port, pid: pid, directory: directory)
            if await server.answers() { return server }
            lastError = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
            await server.stop()
        }
        throw Unavailable(description: "dnsmasq did not start answering: \(lastError)")
    }

    private init(port: UInt16, pid: Int32, directory: URL) {
        self.port = port
        self.pid = pid
        self.directory = directory
    }

    deinit {
        Self.terminate(pid, stopped: stopped)
        try? FileManager.default.removeItem(at: directory)
    }

    func stop() async {
        Self.terminate(pid, stopped: stopped)
        try? FileManager.default.removeItem(at: directory)
    }

    /// SIGTERM, then SIGKILL after two seconds; only while our pid file still names it, so a pid reused
    /// by another process is never signalled.
    private static func terminate(_ pid: Int32, stopped: NIOLockedValueBox<Bool>) {
        let first = stopped.withLockedValue { done -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        kill(pid, SIGTERM)
        for _ in 0..<40 where kill(pid, 0) == 0 {
            usleep(50_000)
        }
        if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
    }

    /// Whether it answers a known name within a few seconds (it binds right after it starts).
    private func answers() async -> Bool {
        let client = DNSClient(server: server, timeout: .seconds(1))
        for _ in 0..<20 {
            if kill(pid, 0) != 0 { return false }
            if case .success = await client.answer(.addresses(name: "ready.test", family: .ipv4)) { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// A loopback port free for both UDP and TCP at the moment of asking.
    static func freeLoopbackPort() throws -> UInt16 {
        for _ in 0..<20 {
            let udp = try boundSocket(type: SOCK_DGRAM, port: 0)
            defer { close(udp.descriptor) }
            // The TCP side must be free too: dnsmasq serves both.
            if let tcp = try? boundSocket(type: SOCK_STREAM, port: udp.port) {
                close(tcp.descriptor)
                return udp.port
            }
        }
        throw Unavailable(description: "no loopback port free for both UDP and TCP")
    }

    /// A loopback socket bound to `port` (0: any); also used by tests as a server that never answers.
    static func boundSocket(type: __socket_type, port: UInt16) throws -> (descriptor: Int32, port: UInt16) {
        let descriptor = socket(AF_INET, Int32(type.rawValue), 0)
        guard descriptor >= 0 else { throw Unavailable(description: "socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(descriptor)
            throw Unavailable(description: "bind to 127.0.0.1:\(port) failed: errno \(errno)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return (descriptor, UInt16(bigEndian: actual.sin_port))
    }
}
