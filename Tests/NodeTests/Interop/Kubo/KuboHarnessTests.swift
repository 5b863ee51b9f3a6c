import Foundation
import Testing

/// The kubo test peer itself: what it listens on and what it refuses. A kubo node of ours must never
/// reach beyond this machine.
@Suite("kubo harness", .serialized)
struct KuboHarnessTests {
    @Test("nodes listen on loopback only and refuse to dial anything else", .pythonInterop, .timeLimit(.minutes(2)))
    func loopbackOnly() async throws {
        let kubo = try await KuboControl.launch(python: try PythonInterop.peer())
        let node = try await kubo.start(key: "secp256k1", security: ["tls"], muxer: ["mplex"])
        #expect(!node.addrs.isEmpty)
        for address in node.addrs {
            #expect(address.hasPrefix("/ip4/127.0.0.1/"), "\(address) is not a loopback address")
            #expect(address.hasSuffix("/p2p/\(node.id)"))
        }
        #expect(node.id.hasPrefix("16Uiu2"), "a secp256k1 identity inlines its key: \(node.id)")
        // A fresh repo lists the public bootstrap peers; ours must list none and listen on loopback only.
        #expect(node.bootstrap == [])
        #expect(node.swarm?.isEmpty == false)
        #expect(node.swarm?.allSatisfy { $0.hasPrefix("/ip4/127.0.0.1/") } == true, "\(node.swarm ?? [])")
        // Bootstrapping, if anything had started it, would be outbound connections by now.
        try await Task.sleep(for: .seconds(3))
        try await kubo.auditSockets()
        await #expect {
            _ = try await kubo.connect(node: node.node, to: "/ip4/192.0.2.1/tcp/4001/p2p/\(node.id)")
        } throws: { error in
            "\(error)".contains("refusing to dial beyond loopback")
        }
        await #expect {
            _ = try await kubo.connect(node: node.node + 100, to: node.addrs[0])
        } throws: { error in
            "\(error)".contains("no running node")
        }
        await kubo.stop()
    }
}
