import ArgumentParser
import Foundation
import Node

/// `peerscope perf ADDR`: throughput on `/perf/1.0.0`.
struct PerfCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perf", abstract: "Measure upload and download throughput to a peer (/perf/1.0.0).")

    @Argument(help: "The peer's multiaddr.")
    var address: String

    @Option(name: .long, help: "Bytes to send.")
    var upload: UInt64 = 10 << 20

    @Option(name: .long, help: "Bytes to ask the peer to send back.")
    var download: UInt64 = 10 << 20

    @Flag(name: .long, help: "Last line is JSON: upload_bytes, download_bytes, upload_seconds, download_seconds.")
    var json = false

    @OptionGroup var dialOptions: DialOptions

    func run() async throws {
        let target = try DialOptions.parse(address)
        let upload = upload, download = download
        let showProgress = Output.stderrIsTerminal
        let result = try await NodeSession.run(
            identityOptions: dialOptions.identityOptions, configuration: try dialOptions.configuration(),
            timeLimit: dialOptions.timeLimit
        ) { host in
            let connection = try await host.dial(target)
            let (stream, _) = try await host.newStream(on: connection, protocols: [PerfProtocol.id])
            return try await PerfClient.run(stream, upload: upload, download: download) { progress in
                guard showProgress else { return }
                let phase = progress.phase == .upload ? "upload" : "download"
                Output.progress("\(phase) \(progress.bytes)/\(progress.total) bytes, \(Self.rate(progress.bytes, progress.elapsed))")
            }
        }
        if showProgress { Output.progress("") }
        if json {
            Output.line(JSONValue.object([
                ("upload_bytes", .integer(Int64(result.uploadedBytes))),
                ("download_bytes", .integer(Int64(result.downloadedBytes))),
                ("upload_seconds", .number(result.uploadSeconds)),
                ("download_seconds", .number(result.downloadSeconds)),
            ]).rendered)
        } else {
            Output.line("upload:   \(result.uploadedBytes) bytes in \(result.uploadDuration.formattedShort), \(Self.rate(result.uploadedBytes, result.uploadDuration))")
            Output.line("download: \(result.downloadedBytes) bytes in \(result.downloadDuration.formattedShort), \(Self.rate(result.downloadedBytes, result.downloadDuration))")
        }
    }

    static func rate(_ bytes: UInt64, _ elapsed: Duration) -> String {
        let seconds = elapsed.secondsValue
        guard seconds > 0 else { return "– MB/s" }
        return String(format: "%.1f MB/s", Double(bytes) / seconds / 1_000_000)
    }
}
