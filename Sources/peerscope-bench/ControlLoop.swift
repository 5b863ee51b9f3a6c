import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The command channel of a server child: one command per stdin line, one reply per stdout line.
/// End of stdin (the benchmark run went away) or `quit` ends it.
enum ControlLoop {
    /// Prints `ready`, then answers commands with `reply` (nil: unknown command) until told to stop.
    static func run(ready: String, reply: @escaping @Sendable (String) -> String?) async {
        emit(ready)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let reader = Thread {
                while let line = readLine() {
                    let command = line.trimmingCharacters(in: .whitespaces)
                    if command == "quit" { break }
                    emit(reply(command) ?? #"{"error":"unknown command \#(command)"}"#)
                }
                continuation.resume()
            }
            reader.start()
        }
    }

    static func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        guard let data = try? encoder.encode(value) else { return #"{"error":"unencodable reply"}"# }
        return String(decoding: data, as: UTF8.self)
    }
}

/// What a server child reports about itself.
struct ServerStats: Codable, Sendable {
    var cpu: CPUTime
    var residentBytes: Int
    var connections: Int
    /// Streams of the hold protocol open right now.
    var holding: Int

    static func current(connections: Int, holding: Int) -> ServerStats {
        ServerStats(cpu: ProcessStats.ownCPU(), residentBytes: ProcessStats.ownResidentBytes(),
                    connections: connections, holding: holding)
    }
}

/// The first line of a server child.
struct ServerReady: Codable, Sendable {
    /// Bound listen addresses, without `/p2p/`.
    var listenAddresses: [String]
    /// The same with `/p2p/<peer>` (empty for the raw TCP server).
    var dialableAddresses: [String]
}
