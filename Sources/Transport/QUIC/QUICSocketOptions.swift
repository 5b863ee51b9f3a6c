import Multiformats
import NIOCore
import NIOPosix

/// How QUIC's UDP sockets read: datagrams come in bursts of up to `messagesPerSyscall` per recvmmsg and
/// `syscallsPerRead` recvmmsg per readable event, and each driver settles once per burst, so a bulk
/// transfer costs a few syscalls per batch of packets, not two per packet.
enum QUICSocketOptions {
    /// With UDP GRO the kernel hands over runs of a peer's datagrams as one buffer of up to 64 KiB (cut
    /// again by `datagrams(in:)`); without it, a slot holds one datagram and larger ones are cut (and
    /// fail to decrypt).
    static let receiveOffload = System.supportsUDPReceiveOffload
    static let messagesPerSyscall = receiveOffload ? 4 : 16
    static let syscallsPerRead: UInt = receiveOffload ? 16 : 8
    static let datagramSlot = receiveOffload ? 65_536 : 2048

    /// Socket buffers: the 208 KiB default holds three GRO runs, and a burst beyond it is dropped and read
    /// as congestion (quic-go asks for 7 MiB). The kernel caps the request at net.core.rmem_max/wmem_max.
    static let socketBuffer = 4 << 20

    /// A listener's socket, shared by all its connections: bulk reads from the start.
    static func apply(_ bootstrap: DatagramBootstrap) -> DatagramBootstrap {
        let base = buffers(bootstrap)
            .channelOption(.maxMessagesPerRead, value: syscallsPerRead)
            .channelOption(.datagramVectorReadMessageCount, value: messagesPerSyscall)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: messagesPerSyscall * datagramSlot))
        guard receiveOffload else { return base }
        return base
            .channelOption(.datagramReceiveOffload, value: true)
            .channelOption(.datagramReceiveSegmentSize, value: true)
    }

    /// A dialed connection's own socket reads single datagrams until the handshake is done
    /// (`enableBulkReceive`): a handshake is a few packets, and 4 × 64 KiB of GRO slots per dial is an
    /// allocation above malloc's mmap threshold, paid (with its page faults) on every connect.
    static func applyForDial(_ bootstrap: DatagramBootstrap) -> DatagramBootstrap {
        buffers(bootstrap)
            .channelOption(.maxMessagesPerRead, value: 4)
            .channelOption(.datagramVectorReadMessageCount, value: handshakeSlots)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: handshakeSlots * 2048))
    }

    static let handshakeSlots = 8

    /// Switches a dialed socket to bulk reads, on its event loop. The slots grow before GRO is turned on,
    /// so no joined run ever lands in a 2 KiB slot (it would be cut).
    static func enableBulkReceive(on channel: any Channel) {
        guard let options = channel.syncOptions else { return }
        do {
            try options.setOption(.maxMessagesPerRead, value: syscallsPerRead)
            try options.setOption(.datagramVectorReadMessageCount, value: messagesPerSyscall)
            try options.setOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: messagesPerSyscall * datagramSlot))
            guard receiveOffload else { return }
            try options.setOption(.datagramReceiveSegmentSize, value: true)
            try options.setOption(.datagramReceiveOffload, value: true)
        } catch {
            // A closed channel: nothing left to read.
        }
    }

    private static func buffers(_ bootstrap: DatagramBootstrap) -> DatagramBootstrap {
        bootstrap
            .channelOption(.socketOption(.so_rcvbuf), value: socketBuffer)
            .channelOption(.socketOption(.so_sndbuf), value: socketBuffer)
    }

    /// The datagrams a read delivered: one, or the run GRO joined (all `segmentSize` long but the last).
    static func datagrams(in envelope: AddressedEnvelope<ByteBuffer>, _ body: (ByteBuffer) -> Void) {
        var data = envelope.data
        guard let size = envelope.metadata?.segmentSize, size > 0, data.readableBytes > size else { return body(data) }
        while data.readableBytes > 0, let piece = data.readSlice(length: min(size, data.readableBytes)) {
            body(piece)
        }
    }
}

extension SocketAddress {
    /// 127.0.0.0/8, ::1 and their IPv4-mapped form: addresses that never leave this machine.
    var isLoopback: Bool {
        switch self {
        case .v4(let address):
            return Multiformats.IPv4Address(value: UInt32(bigEndian: address.address.sin_addr.s_addr)).isLoopback
        case .v6(let address):
            guard let ip = Multiformats.IPv6Address(bytes: withUnsafeBytes(of: address.address.sin6_addr) { Array($0) }) else { return false }
            return ip.isLoopback || ip.ipv4Mapped?.isLoopback == true
        default:
            return false
        }
    }
}
