import CResolv
import Glibc
import Multiformats
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Asks DNS questions, one blocking resolver call per question on NIO's thread pool, each bounded by
/// `timeout` (the resolver's own retry timers, and a deadline around the call for getaddrinfo, which has
/// none: a call still running at the deadline is abandoned, its answer dropped).
public struct DNSClient: Sendable {
    public let server: DNSServer
    /// Bound on one question, all retries included.
    public let timeout: Duration
    public let limits: NameResolutionLimits
    private let pool: NIOThreadPool

    /// The largest DNS message (TCP length field); answers are read into a buffer this size.
    static let maxMessageBytes = 65535

    public init(server: DNSServer = .system, timeout: Duration = .seconds(5), limits: NameResolutionLimits = NameResolutionLimits(),
                pool: NIOThreadPool = .singleton) {
        self.server = server
        self.timeout = timeout
        self.limits = limits
        self.pool = pool
    }

    public func answer(_ question: DNSQuestion) async -> Result<DNSAnswer, DNSQueryError> {
        let server = server
        let timeout = timeout
        let limits = limits
        let outcome = await withDeadline(timeout + .milliseconds(500)) {
            Self.blockingAnswer(question, server: server, timeout: timeout, limits: limits)
        }
        return outcome ?? .failure(.timedOut(question.name, after: timeout))
    }

    // MARK: Blocking calls (thread pool)

    private static func blockingAnswer(
        _ question: DNSQuestion, server: DNSServer, timeout: Duration, limits: NameResolutionLimits
    ) -> Result<DNSAnswer, DNSQueryError> {
        switch (question, server) {
        case (.addresses(let name, let family), .system):
            return SystemAddressLookup.addresses(of: name, family: family, limit: limits.maxRecordsPerAnswer)
        case (.addresses(let name, let family), .server):
            var found: [ResolvedIPAddress] = []
            var firstError: DNSQueryError?
            let types: [UInt16] = switch family {
            case .any: [DNSMessage.typeA, DNSMessage.typeAAAA]
            case .ipv4: [DNSMessage.typeA]
            case .ipv6: [DNSMessage.typeAAAA]
            }
            for type in types {
                switch query(name, type: type, server: server, timeout: timeout, limits: limits) {
                case .success(.addresses(let addresses)): found += addresses
                case .success(.txt): break
                case .failure(let error): firstError = firstError ?? error
                }
            }
            if found.isEmpty, let firstError {
                // A name with only A records has "no AAAA": report the error of the family that mattered.
                return .failure(firstError)
            }
            return .success(.addresses(found))
        case (.txt(let name), _):
            return query(name, type: DNSMessage.typeTXT, server: server, timeout: timeout, limits: limits)
        }
    }

    private static func query(
        _ name: String, type: UInt16, server: DNSServer, timeout: Duration, limits: NameResolutionLimits
    ) -> Result<DNSAnswer, DNSQueryError> {
        let typeName = type == DNSMessage.typeTXT ? "TXT" : type == DNSMessage.typeA ? "A" : "AAAA"
        guard !name.isEmpty, name.utf8.count <= 253 else {
            return .failure(.badQuery(name, detail: "not a DNS name of 1–253 bytes"))
        }
        // Two tries, each given half the time (libresolv counts whole seconds).
        let perTry = max(1, Int32((timeout.components.seconds + 1) / 2))
        var buffer = [UInt8](repeating: 0, count: maxMessageBytes)
        var status: Int32 = 0
        let length: Int32 = buffer.withUnsafeMutableBufferPointer { out in
            switch server {
            case .system:
                return cresolv_query(name, Int32(type), nil, 0, perTry, 2, out.baseAddress, Int32(out.count), &status)
            case .server(let address, let port):
                return cresolv_query(name, Int32(type), address.description, port, perTry, 2, out.baseAddress, Int32(out.count), &status)
            }
        }
        guard length >= 0 else {
            // libresolv leaves an error answer in the buffer: its header names what the server said.
            if buffer[2] & 0x80 != 0 {
                switch buffer[3] & 0x0f {
                case 1: return .failure(.serverFailure(name, detail: "\(server) answered FORMERR (it could not read the query)"))
                case 2: return .failure(.serverFailure(name, detail: "\(server) answered SERVFAIL"))
                case 3: return .failure(.nameNotFound(name))
                case 4: return .failure(.serverFailure(name, detail: "\(server) answered NOTIMP (it does not do \(typeName) queries)"))
                case 5: return .failure(.serverFailure(name, detail: "\(server) answered REFUSED (it does not serve this name to us)"))
                default: break
                }
            }
            switch Int(status) {
            case Int(CRESOLV_NAME_NOT_FOUND.rawValue): return .failure(.nameNotFound(name))
            case Int(CRESOLV_NO_DATA.rawValue): return .failure(.noRecords(name, type: typeName))
            case Int(CRESOLV_TRY_AGAIN.rawValue):
                return .failure(.serverFailure(name, detail: "no answer from \(server) (asked twice, \(perTry) s each)"))
            case Int(CRESOLV_BAD_ARGUMENT.rawValue): return .failure(.badQuery(name, detail: "the server address or name could not be used"))
            case Int(CRESOLV_INIT_FAILED.rawValue): return .failure(.badQuery(name, detail: "no usable resolver configuration (/etc/resolv.conf)"))
            default: return .failure(.serverFailure(name, detail: "refused, or an answer the resolver rejected"))
            }
        }
        return DNSMessage.answers(Array(buffer.prefix(Int(length))), type: type, name: name,
                                  limit: limits.maxRecordsPerAnswer, maxRecordBytes: limits.maxRecordBytes)
    }

    /// Runs `work` on the thread pool; nil if it has not finished within `limit`.
    private func withDeadline<Value: Sendable>(
        _ limit: Duration, _ work: @escaping @Sendable () -> Value
    ) async -> Value? {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let promise = loop.makePromise(of: Value?.self)
        let settled = NIOLockedValueBox(false)
        let settle: @Sendable (Value?) -> Void = { value in
            let first = settled.withLockedValue { done -> Bool in
                defer { done = true }
                return !done
            }
            if first { promise.succeed(value) }
        }
        let timer = loop.scheduleTask(in: .nanoseconds(Int64(limit.totalNanosecondsClamped))) { settle(nil) }
        pool.submit { state in
            guard state == .active else { return settle(nil) }
            settle(work())
        }
        let value = try? await promise.futureResult.get()
        timer.cancel()
        return value ?? nil
    }
}

extension Duration {
    var totalNanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        guard seconds < Int64.max / 1_000_000_000 else { return .max }
        return max(0, seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
