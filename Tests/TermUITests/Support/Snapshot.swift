import Foundation
import Testing

/// Text snapshots in `Tests/TermUITests/__Snapshots__/<name>.txt`. A missing or different file fails
/// the test; `PEERSCOPE_RECORD_SNAPSHOTS=1` writes the current rendering instead (then review the
/// diff and commit it).
enum Snapshot {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // TermUITests
        .appendingPathComponent("__Snapshots__")

    static var isRecording: Bool { ProcessInfo.processInfo.environment["PEERSCOPE_RECORD_SNAPSHOTS"] == "1" }

    static func expect(_ text: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let file = directory.appendingPathComponent("\(name).txt")
        let rendered = text + "\n"
        if isRecording {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                try rendered.write(to: file, atomically: true, encoding: .utf8)
            } catch {
                Issue.record("could not record snapshot \(file.path): \(error)", sourceLocation: sourceLocation)
            }
            return
        }
        guard let stored = try? String(contentsOf: file, encoding: .utf8) else {
            Issue.record(
                """
                no snapshot \(file.lastPathComponent); run with PEERSCOPE_RECORD_SNAPSHOTS=1 to record this rendering:
                \(rendered)
                """,
                sourceLocation: sourceLocation)
            return
        }
        if stored != rendered {
            Issue.record(
                "\(name) differs from \(file.lastPathComponent)\n--- stored\n\(stored)--- rendered\n\(rendered)",
                sourceLocation: sourceLocation)
        }
    }
}
