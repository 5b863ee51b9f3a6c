import Testing

@testable import Node
@testable import TermUI

@Suite struct AppRenderTests {
    @Test(arguments: [(80, 24), (100, 30), (120, 36), (39, 9)])
    func mainScreen(width: Int, height: Int) {
        let state = AppFixture.state(size: TerminalSize(width: width, height: height))
        Snapshot.expect(render(state).text, named: "app-\(width)x\(height)")
    }

    @Test func failedDialTimelineAt100x30() {
        var state = AppFixture.state(size: TerminalSize(width: 100, height: 30))
        for key in [Key.char("j"), .char("j")] { _ = update(&state, .key(key)) }
        #expect(state.selected?.state == .failed)
        let text = render(state).text
        #expect(text.contains("✗ failed"))
        #expect(text.contains("connection refused"))
        Snapshot.expect(text, named: "app-failed-dial-100x30")
    }

    /// A `/dns4/…/ws` dial: the name's resolution, the TCP connect and the WebSocket upgrade lead the timeline.
    @Test func webSocketDialByNameTimelineAt120x40() {
        var state = AppFixture.state(size: TerminalSize(width: 120, height: 40))
        let c4 = ConnectionID(rawValue: 4)
        let dial = DialID(rawValue: 3)
        let named = AppFixture.address("/dns4/peer.test/tcp/4002/ws")
        let resolved = AppFixture.address("/ip4/10.0.0.9/tcp/4002/ws")
        let hop = NameResolutionHop(address: named, question: "A peer.test", server: "127.0.0.1:5353", depth: 0,
                                    answers: ["10.0.0.9"], produced: [resolved], failure: nil, duration: .microseconds(600))
        var events: [AppEvent] = [
            AppFixture.record(.dialStarted(dial, peer: nil, addresses: [named]), at: 13_000),
            AppFixture.record(.dialNameResolved(dial, hop), at: 13_001),
            AppFixture.record(.dialAttempt(dial, c4, address: resolved), at: 13_001),
        ]
        let steps: [(UpgradeStep, Int)] = [
            (.transport(.connected(transport: "tcp", local: AppFixture.address("/ip4/10.0.0.2/tcp/50000/ws"), remote: resolved)), 0),
            (.transport(.handshakeMessage(TransportHandshakeMessage(protocolName: "ws", direction: .sent, content: "GET / (Upgrade: websocket)"))), 1),
            (.transport(.handshakeMessage(TransportHandshakeMessage(protocolName: "ws", direction: .received, content: "HTTP/1.1 101 Switching Protocols"))), 3),
            (.security(.proposed(["/noise"], lazy: true)), 3),
            (AppFixture.noise(.sent, 1, "e", 32), 3), (AppFixture.noise(.received, 2, "e, ee, s, es", 96), 6),
            (AppFixture.noise(.sent, 3, "s, se", 64), 7), (.security(.negotiated("/noise")), 7),
            (.security(.peerVerified(AppFixture.peer(4), keyType: .ed25519)), 7),
            (.muxer(.negotiated("/yamux/1.0.0", earlyIn: "noise")), 8), (.ready, 8),
        ]
        events += steps.map { step, ms in AppFixture.record(.upgradeStep(c4, step, offset: .milliseconds(ms)), at: 13_001 + ms) }
        events.append(.tick(AppFixture.at(14_000)))
        for event in events { _ = update(&state, event) }
        for _ in 0..<8 where state.selected?.id != c4 { _ = update(&state, .key(.char("j"))) }
        #expect(state.selected?.id == c4)
        #expect(state.selected?.steps.prefix(4).map(\.label) == [
            "dns A peer.test (600 µs)", "tcp connected", "ws → GET / (Upgrade: websocket)", "ws ← HTTP/1.1 101 Switching Protocols",
        ])
        let text = render(state).text
        for expected in ["dns A peer.test", "tcp connected", "ws → GET /", "ws ← HTTP/1.1 101"] {
            #expect(text.contains(expected), "\(expected)")
        }
        Snapshot.expect(text, named: "app-ws-by-name-120x40")
    }

    @Test func helpOverlayAt80x24() {
        var state = AppFixture.state(size: TerminalSize(width: 80, height: 24))
        _ = update(&state, .key(.char("?")))
        Snapshot.expect(render(state).text, named: "app-help-80x24")
    }

    @Test func streamViewAt100x30() {
        var state = AppFixture.state(size: TerminalSize(width: 100, height: 30))
        _ = update(&state, .commandResult(.streamOpened(AppFixture.c1, protocolID: "/echo/1.0.0")))
        for key in "hello".map(Key.char) { _ = update(&state, .key(key)) }
        let commands = update(&state, .key(.enter))
        #expect(commands == [.send("hello")])
        _ = update(&state, .commandResult(.streamReceived("hello")))
        let text = render(state).text
        #expect(text.contains("→ hello"))
        #expect(text.contains("← hello"))
        Snapshot.expect(text, named: "app-stream-100x30")
    }

    @Test func asciiGlyphsHaveNoBoxDrawing() {
        let state = AppFixture.state(size: TerminalSize(width: 80, height: 24))
        let text = render(state, glyphs: .ascii).text
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII || $0 == "\n" })
    }

    @Test func rendersZeroWindowFlagAndDropCount() {
        var state = AppFixture.state(size: TerminalSize(width: 120, height: 36))
        _ = update(&state, .key(.tab))
        _ = update(&state, .key(.tab))
        #expect(state.focus == .streams)
        let text = render(state).text
        #expect(text.contains("⚠ blocked 11s"))
        #expect(text.contains("(7 dropped)"))
    }
}

@Suite struct StreamWindowRenderTests {
    /// A muxer without flow control (mplex) reports no windows: the pane shows its receive buffer
    /// in their place instead of a misleading 0 B window.
    @Test func streamsWithoutWindowsShowTheirReceiveBuffer() {
        let windowless = StreamSnapshot(
            id: 7, direction: .outbound, protocolID: "/echo/1.0.0", state: .open, sendWindow: nil, receiveWindow: nil,
            bufferedBytes: 4096, bytesIn: 10, bytesOut: 10, framesIn: 1, framesOut: 1, age: .seconds(1))
        let text = renderStreams([windowless])
        let line = text.split(separator: "\n").first { $0.contains("/echo/1.0.0") && $0.contains(" 7 ") }.map(String.init) ?? ""
        #expect(text.contains("BUFFERED"), "\(text)")
        #expect(!text.contains("SENDWIN"), "\(text)")
        #expect(line.contains("4.0K"), "\(line)")
    }

    @Test func streamsWithWindowsKeepTheWindowColumns() {
        let windowed = StreamSnapshot(
            id: 3, direction: .outbound, protocolID: "/echo/1.0.0", state: .open, sendWindow: 0, receiveWindow: 262_144,
            bufferedBytes: 0, bytesIn: 10, bytesOut: 10, framesIn: 1, framesOut: 1, age: .seconds(1))
        let text = renderStreams([windowed])
        #expect(text.contains("SENDWIN") && text.contains("RECVWIN"), "\(text)")
        #expect(!text.contains("BUFFERED"), "\(text)")
    }

    private func renderStreams(_ streams: [StreamSnapshot]) -> String {
        var state = AppFixture.state(size: TerminalSize(width: 120, height: 36))
        _ = update(&state, .snapshot(HostSnapshot(
            takenAt: AppFixture.at(20_000), peerID: AppFixture.local, listenAddresses: [],
            connections: [AppFixture.connectionSnapshot(
                AppFixture.c1, peer: AppFixture.goPeer, remote: "/ip4/10.0.0.7/tcp/4001", direction: .outbound,
                agent: nil, streams: streams, ageSeconds: 20, bytes: 100)],
            upgrading: [], eventSubscribers: 1)))
        return render(state).text
    }
}
