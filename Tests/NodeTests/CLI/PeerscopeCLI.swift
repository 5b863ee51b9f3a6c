import Foundation

/// Runs the built `peerscope` executable (`swift build --build-tests` builds it next to the test
/// bundle) and collects what it printed, always within a deadline.
enum PeerscopeCLI {
    struct NotBuilt: Error, CustomStringConvertible {
        let searched: [String]
        var description: String { "peerscope executable not found (run `swift build --build-tests`); looked at \(searched)" }
    }

    struct DidNotFinish: Error, CustomStringConvertible {
        let arguments: [String]
        let within: Duration
        let stdout: String
        let stderr: String
        var description: String {
            "peerscope \(arguments.joined(separator: " ")) did not finish within \(within); stdout: \(stdout) stderr: \(stderr)"
        }
    }

    /// The binary in the same build directory as the test bundle, else `.build/debug`.
    static func executable() throws -> URL {
        var candidates: [URL] = []
        if let bundleDirectory = Bundle.main.executableURL?.deletingLastPathComponent() {
            candidates.append(bundleDirectory.appendingPathComponent("peerscope"))
        }
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("peerscope"))
        }
        if let root = PythonInterop.packageRoot() {
            candidates.append(root.appendingPathComponent(".build/debug/peerscope"))
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw NotBuilt(searched: candidates.map(\.path))
        }
        return found
    }

    /// Starts `peerscope ARGUMENTS`; stdin is empty, or the contents of `stdin`.
    static func start(_ arguments: [String], stdin: Data? = nil) async throws -> ChildProcess {
        let binary = try executable()
        let child: ChildProcess
        if let stdin {
            let file = FileManager.default.temporaryDirectory
                .appendingPathComponent("peerscope-stdin-\(UUID().uuidString)")
            try stdin.write(to: file)
            // `exec` keeps the pid, so signals still reach peerscope itself.
            child = ChildProcess(executable: URL(fileURLWithPath: "/bin/sh"),
                                 arguments: ["-c", "exec \"$0\" \"$@\" < '\(file.path)'", binary.path] + arguments)
        } else {
            child = ChildProcess(executable: binary, arguments: arguments)
        }
        try await child.launch()
        return child
    }

    /// Runs `peerscope ARGUMENTS` to completion (killed after `within`).
    static func run(_ arguments: [String], stdin: Data? = nil, within: Duration = .seconds(60)) async throws -> ChildOutput {
        let child = try await start(arguments, stdin: stdin)
        guard let output = await child.wait(within: within, until: \.isFinished) else {
            await child.stop(grace: .seconds(2))
            let partial = child.snapshot()
            throw DidNotFinish(arguments: arguments, within: within, stdout: partial.stdoutText, stderr: partial.stderrText)
        }
        return output
    }

    /// The stdout lines, without empty ones.
    static func lines(_ output: ChildOutput) -> [String] {
        output.stdoutText.split(separator: "\n").map(String.init)
    }

    /// Each stdout line parsed as a JSON object.
    static func jsonLines(_ output: ChildOutput, skipping: Int = 0) throws -> [[String: Any]] {
        try lines(output).dropFirst(skipping).map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw NotJSONObject(line: line)
            }
            return object
        }
    }

    struct NotJSONObject: Error { let line: String }
}

/// A running `peerscope listen --ephemeral`, and its dialable address; stopped when released.
final class PeerscopeListener: Sendable {
    let child: ChildProcess
    let address: String

    private init(child: ChildProcess, address: String) {
        self.child = child
        self.address = address
    }

    deinit {
        child.stopInBackground(grace: .seconds(5))
    }

    static func start(_ extra: [String] = []) async throws -> PeerscopeListener {
        let child = try await PeerscopeCLI.start(["listen", "--ephemeral"] + extra)
        guard let ready = await child.wait(within: .seconds(20), until: { $0.firstStdoutLine != nil || $0.exit != nil }),
              let line = ready.firstStdoutLine
        else {
            await child.stop(grace: .seconds(2))
            throw PeerscopeCLI.DidNotFinish(arguments: ["listen"], within: .seconds(20), stdout: child.snapshot().stdoutText,
                                            stderr: child.snapshot().stderrText)
        }
        return PeerscopeListener(child: child, address: line)
    }

    var peerID: String { String(address.split(separator: "/").last ?? "") }
}

/// The middle value of measured RTTs.
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted[sorted.count / 2]
}
