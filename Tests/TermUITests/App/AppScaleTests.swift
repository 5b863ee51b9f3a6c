import Foundation
import Testing

@testable import Node
@testable import TermUI

/// Scale: a frame with 10,000 connections, and an event storm through `update` and the mailbox.
/// The numbers are printed (for the closing note); the assertions are generous bounds that still
/// catch an accidental quadratic path or unbounded growth.
@Suite struct AppScaleTests {
    static func manyConnections(_ count: Int, size: TerminalSize) -> AppState {
        var state = AppState(size: size, now: AppFixture.base)
        for n in 1...count {
            let id = ConnectionID(rawValue: UInt64(n))
            let remote = "/ip4/10.\(n / 65536 % 256).\(n / 256 % 256).\(n % 256)/tcp/4001"
            for event in AppFixture.upgradeEvents(id, peer: AppFixture.goPeer, remote: remote, startMs: n, early: n % 2 == 0) {
                _ = update(&state, event)
            }
        }
        _ = update(&state, .tick(AppFixture.at(count + 60_000)))
        return state
    }

    @Test func renderingAFrameWith10000ConnectionsStaysFast() {
        var state = Self.manyConnections(10_000, size: TerminalSize(width: 120, height: 36))
        #expect(state.connections.count == 10_000)
        state.selectedConnection = 5_000
        let clock = ContinuousClock()
        var frames: [Duration] = []
        var grid = Grid(width: 0, height: 0)
        for _ in 0..<20 {
            let start = clock.now
            grid = render(state)
            frames.append(clock.now - start)
        }
        frames.sort()
        let median = frames[frames.count / 2]
        print("scale: render 120x36 with 10,000 connections: median \(median), worst \(frames.last ?? .zero)")
        #expect(grid.text.contains("Connections (10000)"))
        #expect(median < .milliseconds(100))
    }

    @Test func snapshotOf10000ConnectionsAppliesQuickly() {
        var state = Self.manyConnections(10_000, size: TerminalSize(width: 120, height: 36))
        let connections = (1...10_000).map { n in
            AppFixture.connectionSnapshot(
                ConnectionID(rawValue: UInt64(n)), peer: AppFixture.goPeer, remote: "/ip4/10.0.0.1/tcp/4001", direction: .outbound,
                agent: "go-libp2p/0.36.0", streams: [AppFixture.stream(1, "/echo/1.0.0", .open)], ageSeconds: 10, bytes: UInt64(n))
        }
        let snapshot = HostSnapshot(
            takenAt: AppFixture.at(70_000), peerID: AppFixture.local, listenAddresses: [], connections: connections, upgrading: [],
            eventSubscribers: 1)
        let clock = ContinuousClock()
        let start = clock.now
        _ = update(&state, .snapshot(snapshot))
        let elapsed = clock.now - start
        print("scale: applying a snapshot of 10,000 connections: \(elapsed)")
        #expect(state.connections.count == 10_000)
        #expect(elapsed < .seconds(2))
    }

    @Test func eventStormKeepsMemoryBoundedAndThroughputHigh() {
        var state = AppFixture.state(size: TerminalSize(width: 120, height: 36))
        // 0.8 s of a 50,000 events/s storm (a debug build; longer runs give the same rates): pings, streams, and failed dials (which add rows).
        let total = 40_000
        let clock = ContinuousClock()
        let rssBefore = Self.residentBytes()
        let start = clock.now
        for n in 0..<total {
            let time = 20_000 + n / 50
            let event: NodeEvent
            switch n % 4 {
            case 0: event = .pingRTT(AppFixture.c1, peer: AppFixture.goPeer, rtt: .microseconds(n % 1000))
            case 1: event = .streamOpened(AppFixture.c1, streamID: UInt64(n % 100_000), direction: .inbound)
            case 2: event = .streamClosed(AppFixture.c1, streamID: UInt64(n % 100_000), protocol: "/echo/1.0.0", cause: "finished", reset: false)
            default:
                let dial = DialID(rawValue: UInt64(n))
                event = .dialFailed(dial, peer: nil, failures: [DialFailure(address: AppFixture.address("/ip4/127.0.0.1/tcp/1"), connectionID: nil, step: "tcp", reason: "connection refused")])
            }
            _ = update(&state, AppFixture.record(event, at: time, sequence: UInt64(n)))
        }
        let elapsed = clock.now - start
        let rssAfter = Self.residentBytes()
        let perSecond = Double(total) / Format.seconds(elapsed)
        print("scale: storm of \(total) events through update in \(elapsed) = \(Int(perSecond)) events/s; log \(state.log.count) lines (\(state.log.forgotten) forgotten), \(state.connections.count) rows, RSS \(rssBefore / 1_048_576) → \(rssAfter / 1_048_576) MiB")
        #expect(state.log.count == AppState.logLimit)
        #expect(state.connections.count <= 3 + AppState.failedRowLimit)
        // Debug build, other suites running in parallel on a shared machine: only a floor (alone it does ~35,000/s).
        #expect(perSecond > 2_000)
        let frame = render(state)
        #expect(frame.text.contains("Connections"))
    }

    @Test func mailboxDropsAndCountsWhenTheUIFallsBehind() {
        let mailbox = Mailbox(limit: 10_000)
        let record = AppFixture.record(.pingRTT(AppFixture.c1, peer: AppFixture.goPeer, rtt: .microseconds(5)), at: 0)
        for _ in 0..<250_000 { mailbox.post(record, droppable: true) }
        mailbox.post(.commandResult(.info("results are never dropped")))
        let drained = mailbox.drain()
        #expect(drained.count == 10_002)
        guard case .forwardingDropped(let dropped) = drained.first else {
            Issue.record("the drop count must come first")
            return
        }
        #expect(dropped == 240_000)
        #expect(mailbox.drain().isEmpty)
    }

    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
            let pages = text.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
