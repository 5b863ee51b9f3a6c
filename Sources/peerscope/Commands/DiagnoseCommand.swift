import ArgumentParser
import Foundation
import Node

/// `peerscope diagnose ADDR`: dials step by step and says where and why a connection fails.
struct DiagnoseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagnose",
        abstract: "Dial a peer and report every step with its time: TCP, multistream, Noise, peer ID, muxer, identify, ping.",
        discussion: "On failure it stops at the failing step and says what was expected, what arrived, and a hint. Exit code 0 only if every step succeeded.")

    @Argument(help: "The peer's multiaddr (with /p2p/<id> the peer ID is checked).")
    var address: String

    @Flag(name: .long, help: "One JSON object: {\"ok\":bool,\"steps\":[{\"step\":\"tcp\",\"ok\":true,\"ms\":0.21,\"detail\":\"…\"},…]}.")
    var json = false

    @OptionGroup var dialOptions: DialOptions

    func run() async throws {
        let steps = try await diagnose()
        let ok = steps.allSatisfy(\.ok)
        if json {
            Output.line(JSONValue.object([("ok", .bool(ok)), ("steps", .array(steps.map(\.json)))]).rendered)
        } else {
            for step in steps { Output.line(step.human) }
        }
        if !ok { throw ExitCode(2) }
    }

    private func diagnose() async throws -> [DiagnosisStep] {
        let clock = ContinuousClock()
        let parseStart = clock.now
        let target: Multiaddr
        do {
            target = try Multiaddr(address)
        } catch {
            return [DiagnosisStep(step: "address", ok: false, duration: clock.now - parseStart,
                                  detail: "'\(address)' is not a multiaddr: \(error)")]
        }
        let addressStep = DiagnosisStep(
            step: "address", ok: true, duration: clock.now - parseStart,
            detail: target.peerID.map { "\(target), expecting peer \($0)" } ?? "\(target) (no /p2p/: any peer ID is accepted)")

        let identity: LoadedIdentity
        do {
            identity = try dialOptions.identityOptions.resolve()
        } catch {
            throw CLIError("\(error)")
        }
        var configuration = try dialOptions.configuration()
        configuration.identifyOnConnect = false
        let host = Node.Host(identity: identity.privateKey, configuration: configuration)
        // Subscribed before dialing: the events of the dial are the timeline.
        let events = host.events()
        let collector = Task { () -> [EventRecord<NodeEvent>] in
            var records: [EventRecord<NodeEvent>] = []
            for await record in events { records.append(record) }
            return records
        }
        let limit = dialOptions.timeLimit
        let probe: Probe? = try? await NodeSession.bounded(limit) { try await Self.probe(host, target) }
        await host.shutdown()
        let records = await collector.value
        let attempts = DialAttempts(records)
        var timeline = UpgradeTimeline(expectedPeer: target.peerID, follow: attempts.winner)
        for record in records { timeline.consume(record) }

        var steps = [addressStep]
        switch probe {
        case nil:
            timeline.failByTimeout(limit, elapsedSinceStart: clock.now - parseStart)
            steps += timeline.steps
        case .failed(let reason):
            timeline.failOther(timeline.pendingStep, reason)
            steps += timeline.steps
        case .connected(let protocolSteps):
            steps += timeline.steps + protocolSteps
        }
        if let summary = attempts.step {
            // After the names were resolved, before the steps of the attempt that is reported.
            let index = steps.lastIndex { $0.step == "dns" || $0.step == "dnsaddr" || $0.step == "address" }.map { $0 + 1 } ?? 1
            steps.insert(summary, at: index)
        }
        return steps
    }

    enum Probe: Sendable {
        case connected([DiagnosisStep])
        /// The dial failed; the events say where (a reason is kept for failures without an event).
        case failed(String)
    }

    /// The dial, then identify and one ping on the new connection.
    private static func probe(_ host: Node.Host, _ target: Multiaddr) async throws -> Probe {
        let connection: HostConnection
        do {
            connection = try await host.dial(target)
        } catch {
            return .failed("\(error)")
        }
        let clock = ContinuousClock()
        var steps: [DiagnosisStep] = []
        let identifyStart = clock.now
        do {
            let info = try await host.identify(connection).info
            steps.append(DiagnosisStep(
                step: "identify", ok: true, duration: clock.now - identifyStart,
                detail: "agent \(info.agentVersion ?? "(none)"); protocols: \(info.protocols.joined(separator: ", "))"))
        } catch {
            steps.append(DiagnosisStep(step: "identify", ok: false, duration: clock.now - identifyStart, detail: "\(error)"))
            return .connected(steps)
        }
        let pingStart = clock.now
        do {
            let rtts = try await host.ping(connection, count: 1)
            let rtt = rtts.first.map { $0.formattedShort } ?? "?"
            steps.append(DiagnosisStep(step: "ping", ok: true, duration: rtts.first ?? (clock.now - pingStart),
                                       detail: "RTT \(rtt)"))
        } catch {
            steps.append(DiagnosisStep(step: "ping", ok: false, duration: clock.now - pingStart, detail: "\(error)"))
        }
        return .connected(steps)
    }
}
