import Core
import Multiformats

/// Runs `MultiaddrResolution` against a `DNSClient`: every hop is reported as it completes.
public struct MultiaddrResolver: Sendable {
    public let client: DNSClient

    public init(client: DNSClient = DNSClient()) {
        self.client = client
    }

    /// The dialable addresses `address` stands for (itself when it has no name), or why there are none.
    public func resolve(
        _ address: Multiaddr, onHop: @Sendable (NameResolutionHop) -> Void = { _ in }
    ) async -> Result<[Multiaddr], NameResolutionFailure> {
        var resolution = MultiaddrResolution(address, limits: client.limits)
        let clock = ContinuousClock()
        loop: while true {
            switch resolution.next() {
            case .finished:
                break loop
            case .skipped(let hop):
                onHop(hop)
            case .ask(let question):
                if Task.isCancelled {
                    return .failure(NameResolutionFailure(address: address, reasons: ["cancelled"]))
                }
                let start = clock.now
                let answer = await client.answer(question)
                onHop(resolution.receive(answer, server: client.server.description, duration: clock.now - start))
            }
        }
        guard !resolution.resolved.isEmpty else {
            return .failure(NameResolutionFailure(address: address, reasons: resolution.failures))
        }
        return .success(resolution.resolved)
    }
}

/// No dialable address came out of a name.
public struct NameResolutionFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public let address: Multiaddr
    public let reasons: [String]

    public var description: String {
        "\(address) resolved to no address: \(reasons.isEmpty ? "no records" : reasons.joined(separator: "; "))"
    }
}
