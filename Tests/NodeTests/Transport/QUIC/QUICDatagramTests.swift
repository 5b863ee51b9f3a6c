import NIOCore
import Testing

@testable import QUIC

/// The pieces between the UDP socket and psq: GRO runs cut back into datagrams, connection IDs as keys.
struct QUICDatagramTests {
    private func envelope(_ bytes: [UInt8], segment: Int?) throws -> AddressedEnvelope<ByteBuffer> {
        let metadata = segment.map { AddressedEnvelope<ByteBuffer>.Metadata(ecnState: .transportNotCapable, packetInfo: nil, segmentSize: $0) }
        return AddressedEnvelope(remoteAddress: try SocketAddress(ipAddress: "127.0.0.1", port: 4001), data: ByteBuffer(bytes: bytes), metadata: metadata)
    }

    @Test func aGROrunIsCutAtItsSegmentSizeWithAShorterLastDatagram() throws {
        let bytes = (0..<(3 * 1452 + 100)).map { UInt8(truncatingIfNeeded: $0) }
        var pieces: [[UInt8]] = []
        QUICSocketOptions.datagrams(in: try envelope(bytes, segment: 1452)) { pieces.append(Array($0.readableBytesView)) }
        #expect(pieces.map(\.count) == [1452, 1452, 1452, 100])
        #expect(pieces.flatMap { $0 } == bytes)
    }

    @Test func aPlainDatagramOrOneNoLongerThanTheSegmentIsDeliveredWhole() throws {
        let bytes = [UInt8](repeating: 7, count: 1200)
        for segment in [nil, 1452, 1200, 0] as [Int?] {
            var pieces: [Int] = []
            QUICSocketOptions.datagrams(in: try envelope(bytes, segment: segment)) { pieces.append($0.readableBytes) }
            #expect(pieces == [1200], "segment \(String(describing: segment))")
        }
    }

    @Test func connectionIDKeysCompareByEveryByteAndTheLength() {
        func key(_ bytes: [UInt8]) -> QUICConnectionIDKey? { bytes.withUnsafeBufferPointer { QUICConnectionIDKey($0) } }
        let twenty = (1...20).map(UInt8.init)
        #expect(key(twenty) == key(twenty))
        #expect(key(twenty) != key(twenty.dropLast() + [99]))  // the last of 20 bytes counts
        #expect(key([0, 0, 0, 0]) != key([0, 0, 0, 0, 0]))  // so does the length
        #expect(key([]) == key([]))
        #expect(key(twenty + [21]) == nil)  // longer than RFC 9000 allows
        #expect(Set([key(twenty), key([1, 2]), key([1, 2])]).count == 2)
    }

    @Test func loopbackAddressesAreRecognisedForSegmentationOffload() throws {
        #expect(try SocketAddress(ipAddress: "127.0.0.1", port: 1).isLoopback)
        #expect(try SocketAddress(ipAddress: "127.8.9.10", port: 1).isLoopback)
        #expect(try SocketAddress(ipAddress: "::1", port: 1).isLoopback)
        #expect(try SocketAddress(ipAddress: "::ffff:127.0.0.1", port: 1).isLoopback)
        #expect(try !SocketAddress(ipAddress: "10.0.0.1", port: 1).isLoopback)
        #expect(try !SocketAddress(ipAddress: "::2", port: 1).isLoopback)
        #expect(try !SocketAddress(ipAddress: "128.0.0.1", port: 1).isLoopback)
    }
}
