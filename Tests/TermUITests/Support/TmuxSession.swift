import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Runs one command inside a private tmux server at a fixed size, so tests can type keys and read
/// the screen the way a person would, with no TTY of their own.
///
/// Each session has its own server (`-L` with a unique socket name, `-f /dev/null` so no user
/// configuration applies) and kills it when done. tmux is started with `posix_spawn` and explicit
/// arguments: no shell quoting, and the server never inherits a pipe a test waits on.
final class TmuxSession {
    enum Failure: Error, CustomStringConvertible {
        case tmuxFailed(arguments: [String], status: Int32, output: String)
        case spawnFailed(errno: Int32)
        case timedOut(waitingFor: String, screen: String)

        var description: String {
            switch self {
            case .tmuxFailed(let arguments, let status, let output):
                "tmux \(arguments.joined(separator: " ")) exited \(status): \(output)"
            case .spawnFailed(let code):
                "could not start tmux: \(String(cString: strerror(code)))"
            case .timedOut(let text, let screen):
                "timed out waiting for \"\(text)\"; the screen was:\n\(screen)"
            }
        }
    }

    /// The end-of-command marker the wrapper prints, followed by the exit status.
    static let exitMarker = "[tmux-session exited "

    let socket: String
    /// The server's socket file, which tmux leaves behind when it is killed.
    private var socketPath: String?
    private(set) var width: Int
    private(set) var height: Int
    private var killed = false

    /// Starts `command` (run by `sh -c`) in a detached session of `width` x `height` cells with
    /// `TERM=tmux-256color` and `LANG=locale`. `environment` adds variables for the command (not
    /// TERM, which tmux sets itself; put `TERM=… ` in front of the command instead).
    /// When the command ends, the pane prints `exitMarker` and its status and stays open.
    init(
        command: String, width: Int = 100, height: Int = 30, locale: String = "C.UTF-8",
        environment: [String: String] = [:]
    ) throws {
        self.socket = "peerscope-test-\(getpid())-\(UInt32.random(in: .min ... .max))"
        self.width = width
        self.height = height
        // tmux sets the pane's TERM from default-terminal, whatever -e says; ";" separates commands.
        var arguments = [
            "start-server", ";", "set-option", "-g", "default-terminal", "tmux-256color", ";",
            "new-session", "-d", "-s", "main", "-x", "\(width)", "-y", "\(height)", "-e", "LANG=\(locale)",
        ]
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) {
            arguments += ["-e", "\(name)=\(value)"]
        }
        // A subshell, so even `exit` in the command leaves the marker to be printed.
        arguments.append("(\(command)); printf '\\n\(Self.exitMarker)%d]\\n' $?; exec sleep 86400")
        do {
            try tmux(arguments)
            socketPath = try tmux(["display-message", "-p", "#{socket_path}"])
                .trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            kill()
            throw error
        }
    }

    deinit { kill() }

    // MARK: - Driving

    /// Sends tmux key names: "Enter", "Escape", "Up", "BTab", "C-c", "M-x", "F5", or plain characters.
    func sendKeys(_ keys: String...) throws {
        try tmux(["send-keys", "-t", "main"] + keys)
    }

    /// Types `text` literally (no key-name lookup).
    func type(_ text: String) throws {
        try tmux(["send-keys", "-t", "main", "-l", text])
    }

    func resize(width: Int, height: Int) throws {
        try tmux(["resize-window", "-t", "main", "-x", "\(width)", "-y", "\(height)"])
        self.width = width
        self.height = height
    }

    /// The visible screen as text, one line per row (trailing spaces trimmed by tmux). With
    /// `colors`, SGR escape sequences are kept and trailing spaces too, as `scripts/ansi2png.py` wants.
    func capture(colors: Bool = false) throws -> String {
        try tmux(["capture-pane", "-t", "main", "-p"] + (colors ? ["-e", "-N"] : []))
    }

    /// Polls the screen until it contains `text`; returns that screen. Throws `timedOut` with the
    /// last screen otherwise. No fixed sleeps: it returns as soon as the text shows.
    @discardableResult
    func waitFor(text: String, timeout: Duration = .seconds(10)) async throws -> String {
        try await waitFor(description: text, timeout: timeout) { $0.contains(text) }
    }

    /// Polls until `condition` holds for the screen.
    @discardableResult
    func waitFor(
        description: String, timeout: Duration = .seconds(10), _ condition: (String) -> Bool
    ) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var screen = try capture()
        while !condition(screen) {
            guard ContinuousClock.now < deadline else {
                throw Failure.timedOut(waitingFor: description, screen: screen)
            }
            try await Task.sleep(for: .milliseconds(50))
            screen = try capture()
        }
        return screen
    }

    /// Waits for the command to end and returns its exit status.
    func waitForExit(timeout: Duration = .seconds(10)) async throws -> Int32 {
        let screen = try await waitFor(text: Self.exitMarker, timeout: timeout)
        guard let range = screen.range(of: Self.exitMarker, options: .backwards),
            let status = Int32(screen[range.upperBound...].prefix { $0.isNumber || $0 == "-" })
        else { throw Failure.timedOut(waitingFor: "an exit status", screen: screen) }
        return status
    }

    /// Stops the server and everything in it, and waits (up to two seconds) until it is gone.
    /// Called on deinit too; harmless when already done.
    func kill() {
        guard !killed else { return }
        killed = true
        _ = try? Self.run(socket: socket, ["kill-server"])
        // kill-server returns before the server has exited; wait so nothing outlives the test.
        let deadline = ContinuousClock.now + .seconds(2)
        while isServerRunning, ContinuousClock.now < deadline {
            usleep(20_000)
        }
        if let socketPath, !isServerRunning { unlink(socketPath) }
    }

    /// Whether a server still answers on this session's socket.
    var isServerRunning: Bool {
        (try? Self.run(socket: socket, ["has-session", "-t", "main"]).status) == 0
    }

    // MARK: - Environment

    /// tmux's path, or nil when it is not installed.
    static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/tmux" }.first { access($0, X_OK) == 0 }
    }()

    static var isAvailable: Bool { executable != nil }

    /// `make test` sets PEERSCOPE_REQUIRE_INTEROP=1: then a missing tmux fails tests instead of
    /// skipping them.
    static var isRequired: Bool { ProcessInfo.processInfo.environment["PEERSCOPE_REQUIRE_INTEROP"] == "1" }

    static let skipReason: Comment = """
        tmux is not installed, so the terminal end-to-end tests are skipped (apt-get install tmux); \
        with PEERSCOPE_REQUIRE_INTEROP=1 they fail instead
        """

    // MARK: - Running tmux

    @discardableResult
    private func tmux(_ arguments: [String]) throws -> String {
        let result = try Self.run(socket: socket, arguments)
        guard result.status == 0 else {
            throw Failure.tmuxFailed(arguments: arguments, status: result.status, output: result.output)
        }
        return result.output
    }

    /// Runs one tmux client command and collects its output (stdout and stderr together).
    private static func run(socket: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        guard let executable else { throw Failure.spawnFailed(errno: ENOENT) }
        // -u: the client speaks UTF-8 whatever the test's own locale is.
        let argv = [executable, "-u", "-f", "/dev/null", "-L", socket] + arguments
        // The server passes this environment on to the pane: no TMUX (we may run inside tmux), no
        // locale that would override the pane's LANG, no NO_COLOR (swift test sets it for itself).
        var environment = ProcessInfo.processInfo.environment
        for name in ["TMUX", "TMUX_PANE", "LC_ALL", "LC_CTYPE", "LANG", "NO_COLOR"] { environment[name] = nil }
        let envp = environment.map { "\($0.key)=\($0.value)" }

        // Created close-on-exec in one step, so a tmux started at the same moment by another test
        // cannot inherit the write end (its server would then hold it open for as long as it lives).
        // A socket pair, because Swift does not see glibc's pipe2.
        var pipeEnds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pipeEnds) == 0 else {
            throw Failure.spawnFailed(errno: errno)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 2)
        posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
        posix_spawn_file_actions_addclose(&actions, pipeEnds[1])

        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = envp.map { strdup($0) } + [nil]
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        // Tests run on pool threads that block signals; a server inheriting that mask would ignore
        // the SIGTERM that kill-server sends it. Start tmux with no signals blocked or ignored.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, cArguments, cEnvironment)
        close(pipeEnds[1])
        guard spawned == 0 else {
            close(pipeEnds[0])
            throw Failure.spawnFailed(errno: spawned)
        }
        // The tmux client exits after each command; when it starts a server, that server runs
        // daemonised with its standard streams on /dev/null, so reading to end of file ends.
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = read(pipeEnds[0], &buffer, buffer.count)
            if count > 0 {
                output += buffer[0..<count]
            } else if count == 0 || errno != EINTR {
                break
            }
        }
        close(pipeEnds[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return (exitStatus, String(decoding: output, as: UTF8.self))
    }
}
