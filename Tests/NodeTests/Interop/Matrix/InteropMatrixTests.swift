import Foundation
import Testing

@testable import Identity
@testable import Node

/// The interop matrix: {we dial, they dial} × peers × security × muxer × key types × {ping, identify,
/// 1 MiB echo, 10 concurrent streams}. Prints the table (and writes it to .build/interop-matrix.md);
/// every cell must pass except those a peer's own limitation rules out, which must fail.
@Suite("Interop matrix", .serialized)
struct InteropMatrixTests {
    @Test("py-libp2p 0.8.1 cells", .pythonInterop, .timeLimit(.minutes(10)))
    func pyLibp2pCells() async throws {
        let hosts = MatrixHosts()
        let driver = PyMatrixDriver(python: try PythonInterop.peer(), hosts: hosts)
        let cells = Self.cells(
            for: .py, securities: PyMatrixDriver.securities, muxers: PyMatrixDriver.muxers,
            theirKeys: PyMatrixDriver.theirKeys, transports: PyMatrixDriver.transports)
        var results: [InteropCellResult] = []
        for cell in cells { results.append(await driver.run(cell)) }
        await driver.stop()
        await hosts.shutdown()
        Self.report(results, name: "py-libp2p")
    }

    @Test("kubo 0.22.0 cells", .pythonInterop, .timeLimit(.minutes(10)))
    func kuboCells() async throws {
        let kubo = try await KuboControl.launch(python: try PythonInterop.peer())
        let driver = KuboMatrixDriver(kubo: kubo)
        let cells = Self.cells(
            for: .kubo, securities: KuboMatrixDriver.securities, muxers: KuboMatrixDriver.muxers,
            theirKeys: KuboMatrixDriver.theirKeys, transports: KuboMatrixDriver.transports)
        var results: [InteropCellResult] = []
        for cell in cells { results.append(await driver.run(cell)) }
        // After every cell, kubo still talks to nothing but loopback.
        try await kubo.auditSockets()
        await kubo.stop()
        Self.report(results, name: "kubo")
    }

    /// The cells for every protocol both sides speak: a muxer or security protocol joins the matrix by
    /// being registered in UpgradeRegistry. All four key types of ours.
    static func cells(
        for peer: InteropCell.Peer, securities: [String], muxers: [String], theirKeys: [String], transports: [String]
    ) -> [InteropCell] {
        let securities = securities.filter(UpgradeRegistry.defaultSecurityNames.contains)
        let muxers = muxers.filter(UpgradeRegistry.defaultMuxerNames.contains)
        return InteropCell.cells(for: peer, securities: securities, muxers: muxers, ourKeys: KeyType.allCases, theirKeys: theirKeys)
            + InteropCell.transportCells(for: peer, transports: transports.filter { $0 != "tcp" }, securities: securities, muxers: muxers)
    }

    /// Prints and saves the table, then records one expectation per cell so a failure names it.
    static func report(_ results: [InteropCellResult], name: String) {
        let table = MatrixTable.render(results)
        let summary = MatrixTable.summary(results)
        print("\nInterop matrix, \(name): \(summary)\n\(table)\n")
        if let root = PythonInterop.packageRoot() {
            let file = root.appendingPathComponent(".build/interop-matrix-\(name).md")
            try? "\(summary)\n\n\(table)\n".write(to: file, atomically: true, encoding: .utf8)
        }
        for result in results {
            if let limitation = InteropLimitation.limitation(for: result.cell) {
                #expect(!result.passed, "\(result.cell) passed although listed as impossible (\(limitation.reason)): update InteropLimitation")
            } else {
                #expect(result.passed, "\(result.cell): \((result.failureReason ?? "").prefix(600))")
            }
        }
    }
}
