import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Why a TCP dial failed, in the words a person debugging connectivity needs.
public enum TCPDialError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The host answered with RST: nothing listens on that port.
    case refused(address: String)
    /// No answer within the dial timeout (SYNs dropped, or the host is down).
    case timedOut(address: String, after: Duration)
    /// The kernel has no route to the host or network.
    case unreachable(address: String, reason: String)
    /// The multiaddr is not something the TCP transport can dial.
    case unsupportedAddress(address: String, reason: String)
    /// Any other socket error, with the system's words.
    case failed(address: String, reason: String)

    public var description: String {
        switch self {
        case .refused(let address):
            return "connection refused: nothing listens on \(address)"
        case .timedOut(let address, let after):
            return "TCP connect to \(address) timed out after \(after.formattedShort)"
        case .unreachable(let address, let reason):
            return "\(address) is unreachable: \(reason)"
        case .unsupportedAddress(let address, let reason):
            return "the TCP transport cannot dial \(address): \(reason)"
        case .failed(let address, let reason):
            return "TCP connect to \(address) failed: \(reason)"
        }
    }

    /// Maps what SwiftNIO reports for a failed connect onto the cases above.
    static func classify(_ error: any Error, address: String, timeout: Duration) -> TCPDialError {
        if let dialError = error as? TCPDialError { return dialError }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            return .timedOut(address: address, after: timeout)
        }
        if let ioError = error as? IOError {
            return classify(errno: ioError.errnoCode, address: address, timeout: timeout)
        }
        if let connectionError = error as? NIOConnectionError {
            if let first = connectionError.connectionErrors.first {
                return classify(first.error, address: address, timeout: timeout)
            }
            return .failed(address: address, reason: "\(connectionError)")
        }
        return .failed(address: address, reason: "\(error)")
    }

    static func classify(errno code: Int32, address: String, timeout: Duration) -> TCPDialError {
        switch code {
        case ECONNREFUSED:
            return .refused(address: address)
        case ETIMEDOUT:
            return .timedOut(address: address, after: timeout)
        case ENETUNREACH:
            return .unreachable(address: address, reason: "network is unreachable")
        case EHOSTUNREACH:
            return .unreachable(address: address, reason: "no route to host")
        case EADDRNOTAVAIL:
            return .unreachable(address: address, reason: "address not available on this host")
        default:
            return .failed(address: address, reason: String(cString: strerror(code)))
        }
    }
}
