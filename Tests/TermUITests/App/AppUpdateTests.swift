import Testing

@testable import Node
@testable import TermUI

@Suite struct AppUpdateTests {
    let size = TerminalSize(width: 100, height: 30)

    @Test func upgradeStepsBuildTheTimelineAndEstablishedOpensTheRow() throws {
        let state = AppFixture.state(size: size)
        let row = try #require(state.connections.first { $0.id == AppFixture.c1 })
        #expect(row.state == .open)
        #expect(row.steps.count == 9)
        #expect(row.steps.map(\.offset).last == .milliseconds(11))
        #expect(row.peer == AppFixture.goPeer)
        #expect(row.earlyMuxer)
        #expect(row.agent == "go-libp2p/0.36.0")
        #expect(row.rtt == .microseconds(830))
    }

    @Test func failedDialStaysUntilClear() throws {
        var state = AppFixture.state(size: size)
        let failed = try #require(state.connections.first { $0.id == AppFixture.c3 })
        #expect(failed.state == .failed)
        #expect(failed.failure == "tcp: connection refused")
        #expect(failed.steps.last?.failed == true)
        _ = update(&state, .tick(AppFixture.at(120_000)))
        #expect(state.connections.contains { $0.id == AppFixture.c3 })
        for key in ":clear".map(Key.char) + [.enter] { _ = update(&state, .key(key)) }
        #expect(!state.connections.contains { $0.id == AppFixture.c3 })
    }

    @Test func ratesComeFromSnapshotDeltas() {
        let state = AppFixture.state(size: size)
        // 100,000 + 10,000 bytes more in over one second.
        #expect(state.rates.inPerSecond == 110_000)
    }

    @Test func zeroSendWindowIsTimedFromTheFirstSnapshotShowingIt() throws {
        let state = AppFixture.state(size: size)
        let stream = try #require(state.connections.first?.streams.first { $0.id == 5 })
        #expect(stream.blockedSince == AppFixture.at(1000))
    }

    @Test func droppedEventsAreCounted() {
        var state = AppFixture.state(size: size)
        #expect(state.droppedEvents == 7)
        _ = update(&state, .forwardingDropped(5))
        #expect(state.droppedEvents == 12)
    }

    @Test func commandLineParsesCommandsForTheSelectedConnection() {
        var state = AppFixture.state(size: size)
        #expect(run(&state, "ping 2") == [.ping(AppFixture.c1, count: 2)])
        #expect(run(&state, "open /echo/1.0.0") == [.openStream(AppFixture.c1, protocolID: "/echo/1.0.0")])
        #expect(run(&state, "identify") == [.identify(AppFixture.c1)])
        #expect(run(&state, "hangup") == [.hangup(AppFixture.c1)])
        #expect(run(&state, "perf 10 20") == [.perf(AppFixture.c1, upload: 10, download: 20)])
        #expect(run(&state, "dial /ip4/1.2.3.4/tcp/5") == [.dial(AppFixture.address("/ip4/1.2.3.4/tcp/5"))])
        #expect(run(&state, "quit") == [.quit])
        #expect(state.shouldQuit)
    }

    @Test(arguments: [
        ("dial /ip4/999.1.1.1/tcp/1", "bad multiaddr"), ("dial", "usage: dial ADDR"), ("frobnicate", "unknown command \"frobnicate\""),
        ("ping zero", "ping: count must be"), ("send hi", "no open stream"), ("open echo", "usage: open PROTOCOL"),
        ("perf x", "usage: perf"),
    ])
    func badInputGivesOneLineError(line: String, expected: String) throws {
        var state = AppFixture.state(size: size)
        #expect(run(&state, line) == [])
        let message = try #require(state.message)
        #expect(message.isError)
        #expect(message.text.contains(expected))
        #expect(!message.text.contains("\n"))
        #expect(render(state).text.contains(String(message.text.prefix(20))))
    }

    @Test func commandsOnAFailedRowAreRefused() {
        var state = AppFixture.state(size: size)
        state.selectedConnection = 2
        #expect(run(&state, "ping") == [])
        #expect(state.message?.text.contains("select an open connection") == true)
    }

    @Test func tabCompletesCommandsAndAddresses() {
        var state = AppFixture.state(size: size)
        for key in ":di".map(Key.char) + [.tab] { _ = update(&state, .key(key)) }
        // "dial" and "diagnose" share "dia".
        #expect(state.commandLine.text == "dia")
        for key in "l /ip4/10".map(Key.char) + [.tab] { _ = update(&state, .key(key)) }
        #expect(state.commandLine.text.hasPrefix("dial /ip4/10.0.0.7/tcp/4001"))
    }

    @Test func historyRecallsThePreviousCommand() {
        var state = AppFixture.state(size: size)
        _ = run(&state, "ping 4")
        for key in [Key.char(":"), .up] { _ = update(&state, .key(key)) }
        #expect(state.commandLine.text == "ping 4")
    }

    @Test func streamKeysSendCloseAndReset() {
        var state = AppFixture.state(size: size)
        _ = update(&state, .commandResult(.streamOpened(AppFixture.c1, protocolID: "/echo/1.0.0")))
        #expect(state.mode == .stream)
        #expect(update(&state, .key(.ctrl("d"))) == [.closeWrite])
        #expect(update(&state, .key(.ctrl("r"))) == [.reset])
        #expect(state.stream?.open == false)
        #expect(update(&state, .key(.ctrl("r"))) == [])
        #expect(state.message?.isError == true)
    }

    @Test func focusCyclesAndSelectionMoves() {
        var state = AppFixture.state(size: size)
        #expect(state.focus == .connections)
        _ = update(&state, .key(.char("j")))
        #expect(state.selectedConnection == 1)
        _ = update(&state, .key(.down))
        _ = update(&state, .key(.down))
        #expect(state.selectedConnection == 2)
        _ = update(&state, .key(.tab))
        #expect(state.focus == .timeline)
        _ = update(&state, .key(.backTab))
        #expect(state.focus == .connections)
    }

    @Test func logFilterKeepsMatchingLines() {
        var state = AppFixture.state(size: size)
        for key in "/refused".map(Key.char) + [.enter] { _ = update(&state, .key(key)) }
        #expect(state.filter == "refused")
        let text = render(state).text
        #expect(text.contains("connection refused"))
        #expect(!text.contains("listening on"))
    }

    @Test func eventLogIsABoundedRing() {
        var log = EventLog(limit: 3)
        for n in 0..<10 { log.append(LogLine(time: .zero, level: .info, text: "\(n)")) }
        #expect(log.lines.map(\.text) == ["7", "8", "9"])
        #expect(log.forgotten == 7)
    }

    @Test func closedConnectionsLeaveAfterAWhile() {
        var state = AppFixture.state(size: size)
        _ = update(&state, AppFixture.record(.connectionClosed(AppFixture.c2, peer: AppFixture.demoPeer, cause: .closedByRemote), at: 12_000))
        #expect(state.connections.first { $0.id == AppFixture.c2 }?.state == .closed)
        _ = update(&state, .tick(AppFixture.at(18_000)))
        #expect(!state.connections.contains { $0.id == AppFixture.c2 })
    }

    private func run(_ state: inout AppState, _ line: String) -> [AppCommand] {
        var commands: [AppCommand] = []
        for key in [Key.char(":")] + line.map(Key.char) + [.enter] { commands += update(&state, .key(key)) }
        return commands
    }
}
