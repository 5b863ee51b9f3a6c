import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import Core
@testable import Events
@testable import Identity
@testable import Multiformats
@testable import Multistream
@testable import Node
@testable import Noise
@testable import Protocols
@testable import TCP
@testable import Upgrade
@testable import Yamux

#if canImport(Glibc)
import Glibc
#endif

@Suite struct TCPTransportTests {
    let transport = TCPTransport()
    let group = MultiThreadedEventLoopGroup.singleton

    @Test func listenOnPortZeroReportsTheBoundPort() async throws {
        let listener = try await transport.listen(host: "127.0.0.1", port: 0, group: group) { $0.eventLoop.makeSucceededVoidFuture() }
        defer { Task { await listener.close() } }
        let port = try #require(listener.localAddress.port)
        #expect(port > 0)

        let channel = try await transport.dial(host: "127.0.0.1", port: port, timeout: .seconds(2), group: group) {
            $0.eventLoop.makeSucceededVoidFuture()
        }.get()
        #expect(channel.remoteAddress?.port == port)
        try await channel.close()
    }

    @Test func dialingAClosedPortSaysConnectionRefused() async throws {
        let port = try unusedLoopbackPort()
        await #expect(throws: TCPDialError.refused(address: "127.0.0.1:\(port)")) {
            _ = try await transport.dial(host: "127.0.0.1", port: port, timeout: .seconds(2), group: group) {
                $0.eventLoop.makeSucceededVoidFuture()
            }.get()
        }
    }

    /// A listening socket that never accepts, with its backlog already full: the kernel drops further
    /// SYNs, which is exactly what a black-holed remote looks like, without leaving loopback.
    @Test func dialingASilentHostTimesOut() async throws {
        let blackhole = try FullBacklogSocket()
        defer { blackhole.close() }
        let error = await #expect(throws: TCPDialError.self) {
            _ = try await transport.dial(host: "127.0.0.1", port: blackhole.port, timeout: .milliseconds(300), group: group) {
                $0.eventLoop.makeSucceededVoidFuture()
            }.get()
        }
        #expect(error == .timedOut(address: "127.0.0.1:\(blackhole.port)", after: .milliseconds(300)))
        #expect(error?.description == "TCP connect to 127.0.0.1:\(blackhole.port) timed out after 300.0 ms")
    }

    @Test func dialingAHostNameIsNotSupportedByTheTCPTransport() async throws {
        await #expect(throws: TCPDialError.unsupportedAddress(address: "localhost:80", reason: "not a numeric IP address")) {
            _ = try await transport.dial(host: "localhost", port: 80, timeout: .seconds(1), group: group) {
                $0.eventLoop.makeSucceededVoidFuture()
            }.get()
        }
    }

    @Test func errnoValuesMapToSpecificErrors() {
        #expect(TCPDialError.classify(errno: ENETUNREACH, address: "a", timeout: .seconds(1))
            == .unreachable(address: "a", reason: "network is unreachable"))
        #expect(TCPDialError.classify(errno: EHOSTUNREACH, address: "a", timeout: .seconds(1))
            == .unreachable(address: "a", reason: "no route to host"))
        #expect(TCPDialError.classify(errno: ETIMEDOUT, address: "a", timeout: .seconds(1))
            == .timedOut(address: "a", after: .seconds(1)))
    }
}

/// Binds a loopback port and closes it again, so nothing listens there.
func unusedLoopbackPort() throws -> Int {
    let socket = try FullBacklogSocket(fill: false)
    let port = socket.port
    socket.close()
    return port
}

/// A raw listening socket with backlog 0 that is never accepted from; `fill` connects to it until
/// the queue is full so later connects hang in SYN-SENT.
final class FullBacklogSocket: @unchecked Sendable {
    let fd: Int32
    let port: Int
    private var fillers: [Int32] = []

    init(fill: Bool = true) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 0) == 0 else { throw POSIXError(.EADDRINUSE) }
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        self.port = port
        guard fill else { return }
        // With backlog 0 Linux queues one connection; a few extra non-blocking connects fill it.
        for _ in 0..<4 {
            let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            fillers.append(client)
        }
        usleep(50_000)
    }

    func close() {
        for filler in fillers { _ = Glibc.close(filler) }
        fillers.removeAll()
        _ = Glibc.close(fd)
    }
}
