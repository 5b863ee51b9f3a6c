import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Makes sure the terminal is given back exactly once, however the process ends: a normal
/// `restore()`, `exit` (through `atexit`), or SIGINT/SIGTERM/SIGHUP.
///
/// Signals are caught with dispatch sources, not C handlers, so nothing runs in signal context. The
/// first signal is handed to the UI loop (`takePendingSignal`), which should quit and restore; a
/// second signal, or no restore within `gracePeriod`, restores from here and exits with 128 + signal.
final class TerminalSession: @unchecked Sendable {
    static let shared = TerminalSession()
    static let handledSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    static let gracePeriod: DispatchTimeInterval = .seconds(2)

    // Everything below is guarded by `lock`.
    private let lock = NSLock()
    private var restoreAction: (@Sendable () -> Void)?
    private var pendingSignal: Int32?
    private var signalsReceived = 0
    /// Counts sessions, so a grace-period timer from an earlier session cannot end a later one.
    private var generation = 0
    private var sources: [any DispatchSourceSignal] = []
    private var atexitInstalled = false
    private let queue = DispatchQueue(label: "peerscope.terminal-signals")

    /// Starts watching for signals and exit; `restore` gives the terminal back. Must run before
    /// ncurses starts so ncurses sees the signals already taken and installs no handlers of its own.
    func activate(restore: @escaping @Sendable () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        precondition(restoreAction == nil, "only one terminal session at a time")
        restoreAction = restore
        pendingSignal = nil
        signalsReceived = 0
        generation += 1
        if !atexitInstalled {
            atexitInstalled = true
            atexit { TerminalSession.shared.restore() }
        }
        for number in Self.handledSignals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { self.received(number) }
            source.resume()
            sources.append(source)
        }
    }

    /// Gives the terminal back if it is still taken. Safe to call any number of times, from any
    /// thread; afterwards the signals have their default effect again.
    func restore() {
        lock.lock()
        let action = restoreAction
        restoreAction = nil
        let stopping = sources
        sources = []
        lock.unlock()
        action?()
        for source in stopping { source.cancel() }
        if !stopping.isEmpty {
            for number in Self.handledSignals { signal(number, SIG_DFL) }
        }
    }

    var isActive: Bool {
        lock.lock()
        defer { lock.unlock() }
        return restoreAction != nil
    }

    private func isActive(generation expected: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return restoreAction != nil && generation == expected
    }

    /// The signal that asked the UI to quit, once.
    func takePendingSignal() -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        let number = pendingSignal
        pendingSignal = nil
        return number
    }

    private func received(_ number: Int32) {
        lock.lock()
        let active = restoreAction != nil
        let repeated = signalsReceived > 0
        signalsReceived += 1
        pendingSignal = number
        let current = generation
        lock.unlock()
        guard active else { return }
        if repeated { forceExit(number) }
        queue.asyncAfter(deadline: .now() + Self.gracePeriod) {
            if self.isActive(generation: current) { self.forceExit(number) }
        }
    }

    private func forceExit(_ number: Int32) -> Never {
        restore()
        _exit(128 + number)
    }
}
