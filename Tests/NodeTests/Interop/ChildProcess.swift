import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a child process ended.
struct ChildExit: Sendable, Equatable, CustomStringConvertible {
    enum Cause: Sendable, Equatable {
        case exitCode
        case signal
    }

    let cause: Cause
    let value: Int32

    var isCleanExit: Bool { cause == .exitCode && value == 0 }

    var description: String {
        switch cause {
        case .exitCode: "exit code \(value)"
        case .signal: "killed by signal \(value)"
        }
    }
}

/// Everything a child has said so far, and whether it is done.
struct ChildOutput: Sendable {
    var stdout = Data()
    var stderr = Data()
    var stdoutClosed = false
    var stderrClosed = false
    /// Set once output went past its bound and the excess was dropped.
    var stdoutTruncated = false
    var exit: ChildExit?

    /// Exited and both pipes drained: nothing more will arrive.
    var isFinished: Bool { exit != nil && stdoutClosed && stderrClosed }

    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    var stderrText: String { String(decoding: stderr, as: UTF8.self) }

    /// The first complete stdout line, without its newline.
    var firstStdoutLine: String? {
        guard let newline = stdout.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        return String(decoding: stdout[stdout.startIndex..<newline], as: UTF8.self)
    }
}

enum ChildProcessError: Error, CustomStringConvertible {
    case launchFailed(executable: String, reason: String)
    case standardInputUnavailable
    case standardInputFailed(errno: Int32)
    case standardInputFull(within: Duration)

    var description: String {
        switch self {
        case .launchFailed(let executable, let reason):
            "could not launch \(executable): \(reason)"
        case .standardInputUnavailable:
            "the child's stdin is not a pipe of ours, or it was closed"
        case .standardInputFailed(let errno):
            "writing to the child's stdin failed: \(String(cString: strerror(errno)))"
        case .standardInputFull(let timeout):
            "the child read none of its stdin for \(timeout)"
        }
    }
}

/// A launched child process whose stdout and stderr are collected in memory (each bounded),
/// with waits that always end: when a condition on the output holds, or at a deadline.
///
/// `@unchecked Sendable`: `process` is configured before launch and afterwards only used for
/// its identifier; every mutable field is guarded by `lock`.
final class ChildProcess: @unchecked Sendable {
    let executable: URL
    let arguments: [String]

    private static let stdoutLimit = 8 << 20
    private static let stderrLimit = 256 << 10
    private static let readChunk = 64 << 10

    private let process = Process()
    private let lock = NSLock()
    private var output = ChildOutput()
    private var launched = false
    private var waiters: [UInt64: Waiter] = [:]
    private var expiredWaiters: Set<UInt64> = []
    private var nextWaiterID: UInt64 = 0

    private struct Waiter {
        let isSatisfied: @Sendable (ChildOutput) -> Bool
        let continuation: CheckedContinuation<ChildOutput?, Never>
    }

    private enum Pipe { case stdout, stderr }

    /// The write end of the child's stdin when it was launched with `standardInputPipe`;
    /// guarded by `inputLock` (not `lock`: a write waiting for room must not stall the readers
    /// of the child's output), -1 once closed.
    private var standardInput: FileHandle?
    private let inputLock = NSLock()
    private let wantsStandardInput: Bool

    /// `standardInputPipe`: the child reads a pipe that `writeToStandardInput` feeds and
    /// `closeStandardInput` ends; otherwise it reads /dev/null.
    init(executable: URL, arguments: [String], standardInputPipe: Bool = false) {
        self.executable = executable
        self.arguments = arguments
        self.wantsStandardInput = standardInputPipe
    }

    deinit {
        try? standardInput?.close()
    }

    var processIdentifier: Int32 { process.processIdentifier }

    func launch() async throws {
        let stdout = Foundation.Pipe()
        let stderr = Foundation.Pipe()
        process.executableURL = executable
        process.arguments = arguments
        let stdin = wantsStandardInput ? Foundation.Pipe() : nil
        process.standardInput = stdin ?? FileHandle.nullDevice
        process.standardOutput = stdout
        process.standardError = stderr
        process.terminationHandler = { [weak self] finished in
            let exit = finished.terminationReason == .exit
                ? ChildExit(cause: .exitCode, value: finished.terminationStatus)
                : ChildExit(cause: .signal, value: finished.terminationStatus)
            self?.update { $0.exit = exit }
        }
        try await runWithEmptySignalMask()
        if let stdin {
            // Non-blocking, so that a child that stops reading cannot hold a write forever.
            let descriptor = stdin.fileHandleForWriting.fileDescriptor
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            inputLock.withLock { standardInput = stdin.fileHandleForWriting }
        }
        lock.withLock { launched = true }
        startReading(stdout.fileHandleForReading, into: .stdout)
        startReading(stderr.fileHandleForReading, into: .stderr)
    }

    /// A spawned child inherits the spawning thread's blocked signals, and the threads that
    /// run Swift tasks block nearly all of them: a child spawned there would never see the
    /// SIGTERM of `stop`. So the spawn happens on a fresh thread that blocks nothing.
    private func runWithEmptySignalMask() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let spawner = Thread { [self] in
                var nothing = sigset_t()
                sigemptyset(&nothing)
                pthread_sigmask(SIG_SETMASK, &nothing, nil)
                do {
                    try process.run()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: ChildProcessError.launchFailed(
                        executable: executable.path, reason: "\(error)"))
                }
            }
            spawner.name = "child spawner"
            spawner.start()
        }
    }

    /// Writes all of `bytes` to the child's stdin, waiting at most `timeout` for room in the pipe.
    /// A child that is gone is an error (EPIPE), not a SIGPIPE for the test process.
    func writeToStandardInput(_ bytes: [UInt8], within timeout: Duration = .seconds(10)) throws {
        try inputLock.withLock {
            guard let descriptor = standardInput?.fileDescriptor else {
                throw ChildProcessError.standardInputUnavailable
            }
            let clock = ContinuousClock()
            let deadline = clock.now + timeout
            var offset = 0
            while offset < bytes.count {
                let written = Self.writeWithoutSigpipe(descriptor, bytes[offset...])
                if written > 0 {
                    offset += written
                    continue
                }
                let error = errno
                if written < 0 && error == EINTR { continue }
                guard written < 0 && (error == EAGAIN || error == EWOULDBLOCK) else {
                    throw ChildProcessError.standardInputFailed(errno: error)
                }
                let left = deadline - clock.now
                guard left > .zero else { throw ChildProcessError.standardInputFull(within: timeout) }
                var waiting = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                let milliseconds = min(left.components.seconds, 1) * 1000
                    + left.components.attoseconds / 1_000_000_000_000_000
                _ = poll(&waiting, 1, Int32(min(max(milliseconds, 1), 1000)))
            }
        }
    }

    /// Ends the child's stdin (it reads end of file); idempotent.
    func closeStandardInput() {
        inputLock.withLock {
            try? standardInput?.close()
            standardInput = nil
        }
    }

    /// write(2) with SIGPIPE blocked on this thread; a SIGPIPE the write raised is taken off the
    /// thread again, so a closed pipe shows up only as EPIPE.
    private static func writeWithoutSigpipe(_ descriptor: Int32, _ bytes: ArraySlice<UInt8>) -> Int {
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let writeError = errno
        if written < 0 && writeError == EPIPE {
            var noWait = timespec(tv_sec: 0, tv_nsec: 0)
            _ = sigtimedwait(&pipeSignal, nil, &noWait)
        }
        pthread_sigmask(SIG_SETMASK, &previous, nil)
        errno = writeError
        return written
    }

    func snapshot() -> ChildOutput {
        lock.withLock { output }
    }

    /// Waits until `condition` holds for the collected output; nil when `timeout` passed first
    /// or the waiting task was cancelled.
    func wait(
        within timeout: Duration,
        until condition: @escaping @Sendable (ChildOutput) -> Bool
    ) async -> ChildOutput? {
        let id = lock.withLock {
            nextWaiterID += 1
            return nextWaiterID
        }
        let timer = Task { [weak self] in
            do {
                try await Task.sleep(for: timeout)
            } catch {
                return
            }
            self?.expire(id)
        }
        defer {
            timer.cancel()
            _ = lock.withLock { expiredWaiters.remove(id) }
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let immediate: ChildOutput?? = lock.withLock {
                    if condition(output) { return .some(output) }
                    if expiredWaiters.contains(id) { return .some(nil) }
                    waiters[id] = Waiter(isSatisfied: condition, continuation: continuation)
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            expire(id)
        }
    }

    /// SIGTERM, then SIGKILL if the child is still there after `grace`. Returns how it ended,
    /// or nil if even SIGKILL did not end it within five seconds.
    @discardableResult
    func stop(grace: Duration) async -> ChildExit? {
        if let exit = snapshot().exit { return exit }
        send(SIGTERM)
        if let ended = await wait(within: grace, until: { $0.exit != nil }) { return ended.exit }
        send(SIGKILL)
        return await wait(within: .seconds(5), until: { $0.exit != nil })?.exit
    }

    /// For owners' `deinit`, which cannot wait: the stop runs on its own task, which keeps
    /// this object alive until the child is gone.
    func stopInBackground(grace: Duration) {
        guard snapshot().exit == nil else { return }
        Task.detached { [self] in
            await stop(grace: grace)
        }
    }

    private func send(_ signal: Int32) {
        // Only while the child is unreaped, so the pid cannot belong to another process yet.
        lock.withLock {
            guard launched, output.exit == nil else { return }
            _ = kill(process.processIdentifier, signal)
        }
    }

    private func startReading(_ handle: FileHandle, into pipe: Pipe) {
        let reader = Thread { [self] in
            // read(2) returns what the child wrote so far; FileHandle's reads on Linux wait
            // until the whole requested count or end of file.
            var buffer = [UInt8](repeating: 0, count: Self.readChunk)
            while true {
                let count = buffer.withUnsafeMutableBytes {
                    read(handle.fileDescriptor, $0.baseAddress, $0.count)
                }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                let chunk = Data(buffer[0..<count])
                update { Self.append(chunk, to: pipe, in: &$0) }
            }
            update {
                switch pipe {
                case .stdout: $0.stdoutClosed = true
                case .stderr: $0.stderrClosed = true
                }
            }
        }
        reader.name = "child \(pipe) reader"
        reader.start()
    }

    private static func append(_ chunk: Data, to pipe: Pipe, in output: inout ChildOutput) {
        switch pipe {
        case .stdout:
            let room = stdoutLimit - output.stdout.count
            if chunk.count > room { output.stdoutTruncated = true }
            output.stdout.append(chunk.prefix(max(room, 0)))
        case .stderr:
            // Keep the tail: the last lines say why a peer failed.
            output.stderr.append(chunk)
            if output.stderr.count > stderrLimit {
                output.stderr = Data(output.stderr.suffix(stderrLimit))
            }
        }
    }

    private func update(_ change: (inout ChildOutput) -> Void) {
        let ready: [(CheckedContinuation<ChildOutput?, Never>, ChildOutput)] = lock.withLock {
            change(&output)
            let satisfied = waiters.filter { $0.value.isSatisfied(output) }
            for id in satisfied.keys { waiters[id] = nil }
            return satisfied.values.map { ($0.continuation, output) }
        }
        for (continuation, output) in ready { continuation.resume(returning: output) }
    }

    private func expire(_ id: UInt64) {
        let waiter: Waiter? = lock.withLock {
            expiredWaiters.insert(id)
            return waiters.removeValue(forKey: id)
        }
        waiter?.continuation.resume(returning: nil)
    }
}
