import Foundation

#if canImport(Glibc)
import Glibc
#endif

enum ChildError: Error, CustomStringConvertible {
    case launchFailed(String, reason: String)
    case timedOut(String, waitingFor: String, stderrTail: String)
    case ended(String, waitingFor: String, stderrTail: String)
    case readFailed(String, errno: Int32)
    case badReply(String, line: String)

    var description: String {
        switch self {
        case .launchFailed(let name, let reason): "could not launch \(name): \(reason)"
        case .timedOut(let name, let what, let tail): "\(name): no \(what) in time\(Self.show(tail))"
        case .ended(let name, let what, let tail): "\(name) closed its output before \(what)\(Self.show(tail))"
        case .readFailed(let name, let code): "\(name): reading its output failed (errno \(code))"
        case .badReply(let name, let line): "\(name) replied with something unexpected: \(line.prefix(300))"
        }
    }

    /// The last stderr line first (the table shows only a first line), then the whole tail.
    private static func show(_ tail: String) -> String {
        let lines = tail.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let last = lines.last else { return "" }
        return ": \(last)\nits stderr ends with:\n\(tail)"
    }
}

/// A helper process of the benchmark (a node server, a raw TCP server, a py-libp2p peer): stdin is a
/// pipe it may read commands from (closing it asks the child to stop), stdout is read line by line,
/// stderr goes to a log file quoted when something fails. Every wait has a deadline.
///
/// `@unchecked Sendable`: `process` and the pipes are set up before launch and only read after;
/// `pending` is touched only on `readerQueue`.
final class ChildProcess: @unchecked Sendable {
    let name: String
    let logURL: URL
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let readerQueue = DispatchQueue(label: "peerscope-bench child reader")
    private var pending: [UInt8] = []

    init(name: String, executable: URL, arguments: [String], logDirectory: URL) {
        self.name = name
        self.logURL = logDirectory.appendingPathComponent(
            name.replacingOccurrences(of: " ", with: "-") + "-\(UInt32.random(in: 0 ... .max)).log")
        process.executableURL = executable
        process.arguments = arguments
    }

    var pid: Int32 { process.processIdentifier }

    func launch() async throws {
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        process.standardInput = input
        process.standardOutput = output
        process.standardError = log
        try await spawnWithEmptySignalMask()
        try? log.close()
        ChildRegistry.shared.add(pid)
    }

    /// A child inherits the spawning thread's blocked signals, and the threads running Swift tasks block
    /// nearly all of them; py peers would never see SIGTERM. So the spawn runs on a fresh thread.
    private func spawnWithEmptySignalMask() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let spawner = Thread { [self] in
                var nothing = sigset_t()
                sigemptyset(&nothing)
                pthread_sigmask(SIG_SETMASK, &nothing, nil)
                do {
                    try process.run()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: ChildError.launchFailed(name, reason: "\(error)"))
                }
            }
            spawner.start()
        }
    }

    /// Sends one command line on the child's stdin.
    func send(_ line: String) throws {
        try input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    /// The next line of the child's stdout, without its newline.
    func readLine(within timeout: Duration, waitingFor what: String) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            readerQueue.async { [self] in
                continuation.resume(with: Result { try blockingReadLine(timeout: timeout, what: what) })
            }
        }
    }

    /// Sends `command` and returns the one-line reply.
    func request(_ command: String, within timeout: Duration = .seconds(30)) async throws -> String {
        try send(command)
        return try await readLine(within: timeout, waitingFor: "reply to \(command)")
    }

    private func blockingReadLine(timeout: Duration, what: String) throws -> String {
        let descriptor = output.fileHandleForReading.fileDescriptor
        let deadline = ContinuousClock.now + timeout
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw ChildError.timedOut(name, waitingFor: what, stderrTail: stderrTail()) }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(remaining.milliseconds.rounded(.up), 1000)))
            if ready < 0, errno != EINTR { throw ChildError.readFailed(name, errno: errno) }
            guard ready > 0 else { continue }
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { throw ChildError.ended(name, waitingFor: what, stderrTail: stderrTail()) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw ChildError.readFailed(name, errno: errno)
            }
            pending.append(contentsOf: chunk[..<count])
        }
    }

    /// The last lines the child wrote to stderr.
    func stderrTail(lines: Int = 12) -> String {
        guard let text = try? String(contentsOf: logURL, encoding: .utf8) else { return "" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    /// Closes stdin (our children stop on that), then SIGTERM after `grace`, then SIGKILL.
    func stop(grace: Duration = .seconds(3)) async {
        try? input.fileHandleForWriting.close()
        if await waitForExit(within: grace) { return finish() }
        kill(pid, SIGTERM)
        if await waitForExit(within: .seconds(3)) { return finish() }
        kill(pid, SIGKILL)
        _ = await waitForExit(within: .seconds(5))
        finish()
    }

    private func finish() {
        ChildRegistry.shared.remove(pid)
    }

    private func waitForExit(within timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }
}

/// Every live child, so the watchdog can kill them all before it ends a stuck run.
final class ChildRegistry: @unchecked Sendable {
    static let shared = ChildRegistry()
    private let lock = NSLock()
    private var pids: Set<Int32> = []

    func add(_ pid: Int32) { lock.withLock { _ = pids.insert(pid) } }
    func remove(_ pid: Int32) { lock.withLock { _ = pids.remove(pid) } }

    func killAll() {
        for pid in lock.withLock({ pids }) { kill(pid, SIGKILL) }
    }
}
