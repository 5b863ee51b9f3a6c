import Foundation
import Node

/// How the program starts: where to listen, whom to dial, whether to bring demo peers.
public struct AppOptions: Sendable {
    public var listen: [Multiaddr]
    public var connect: [Multiaddr]
    public var demo: Bool

    public init(listen: [Multiaddr], connect: [Multiaddr], demo: Bool) {
        self.listen = listen
        self.connect = connect
        self.demo = demo
    }
}

/// The program: the terminal loop on its own thread (ncurses wants one thread), the node's events
/// and snapshots forwarded into it through a bounded mailbox, effects run as tasks.
public enum AppRunner {
    static let frameInterval: Duration = .milliseconds(33)
    static let snapshotInterval: Duration = .milliseconds(333)
    static let tickInterval: Duration = .seconds(1)

    public static func run(host: Node.Host, options: AppOptions) async throws {
        let mailbox = Mailbox(limit: 10_000)
        let executor = CommandExecutor(host: host, mailbox: mailbox)
        let forwarding = Task {
            for await record in host.events(bufferLimit: 4096) {
                mailbox.post(.node(record), droppable: true)
            }
        }
        let polling = Task {
            while !Task.isCancelled {
                mailbox.post(.snapshot(await host.snapshot()))
                try? await Task.sleep(for: snapshotInterval)
            }
        }
        var demo: DemoPeers?
        defer {
            forwarding.cancel()
            polling.cancel()
        }
        for address in options.listen {
            do {
                try await host.listen(address)
            } catch {
                mailbox.post(.commandResult(.error("listen \(address) failed: \(error)")))
            }
        }
        if options.demo, let target = host.listenAddresses.first {
            do {
                demo = try await DemoPeers.start(dialing: host.dialableAddress(target))
            } catch {
                mailbox.post(.commandResult(.error("demo peers failed to start: \(error)")))
            }
        }
        for address in options.connect { executor.run(.dial(address)) }
        let outcome: Result<Void, TerminalError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: Result { () throws(TerminalError) in try loop(mailbox: mailbox, executor: executor) })
            }
            thread.name = "peerscope-ui"
            thread.start()
        }
        await demo?.stop()
        try outcome.get()
    }

    private static func loop(mailbox: Mailbox, executor: CommandExecutor) throws(TerminalError) {
        let terminal = try CursesTerminal()
        defer { terminal.restore() }
        let clock = ContinuousClock()
        var state = AppState(size: terminal.size, now: clock.now)
        var dirty = true
        var lastFrame = clock.now - frameInterval
        var lastTick = clock.now
        while !state.shouldQuit {
            var commands: [AppCommand] = []
            let wait = dirty ? max(0, Int(Format.seconds(frameInterval - (clock.now - lastFrame)) * 1000)) : 30
            if let input = terminal.readInput(timeoutMilliseconds: min(wait, 30)) {
                switch input {
                case .key(.resize): commands += update(&state, .resize(terminal.size))
                case .key(let key): commands += update(&state, .key(key))
                case .terminationRequested: state.shouldQuit = true
                }
                dirty = true
            }
            for event in mailbox.drain() {
                commands += update(&state, event)
                dirty = true
            }
            if clock.now - lastTick >= tickInterval {
                lastTick = clock.now
                commands += update(&state, .tick(lastTick))
                dirty = true
            }
            for command in commands where command != .quit { executor.run(command) }
            if dirty, clock.now - lastFrame >= frameInterval {
                terminal.draw(render(state, glyphs: terminal.glyphs), cursor: cursorPosition(state))
                lastFrame = clock.now
                dirty = false
            }
        }
    }
}
