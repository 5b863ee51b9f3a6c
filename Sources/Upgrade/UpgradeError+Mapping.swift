import Core
import Multistream

extension UpgradeError {
    /// Puts a multistream-select failure into upgrade terms: which phase, what we expected, what came.
    init(phase: UpgradePhase, multistream error: MultistreamError) {
        switch error {
        case .unexpectedHeader(let got):
            self.init(phase: phase, kind: .protocolViolation,
                      expected: "the header \"\(MultistreamMessage.header)\"", got: "\"\(got)\"")
        case .unexpectedReply(let proposed, let got):
            self.init(phase: phase, kind: .protocolViolation,
                      expected: "\"\(proposed)\" echoed back or \"na\"", got: "\"\(got)\"")
        case .protocolsRejected(let proposed, let answers):
            let offered = zip(proposed, answers).map { "\($0) → \($1)" }.joined(separator: ", ")
            self.init(phase: phase, kind: .noCommonProtocol,
                      expected: "the peer to accept one of \(proposed.joined(separator: ", "))",
                      got: "a refusal for each (\(offered)); the peer does not speak \(proposed.joined(separator: " or "))")
        case .tooManyRejections(let limit, let proposals):
            self.init(phase: phase, kind: .noCommonProtocol,
                      expected: "a proposal we support",
                      got: "\(limit) unsupported proposals (last: \(proposals.suffix(3).joined(separator: ", ")))")
        case .messageTooLong(let limit, let declared):
            self.init(phase: phase, kind: .protocolViolation,
                      expected: "a message of at most \(limit) bytes", got: "a length prefix of \(declared) bytes")
        case .invalidLengthPrefix(let varintError):
            self.init(phase: phase, kind: .protocolViolation,
                      expected: "a uvarint length prefix", got: "\(varintError)")
        case .missingNewline:
            self.init(phase: phase, kind: .protocolViolation,
                      expected: "a message ending in a newline", got: "a message without one")
        case .invalidUTF8:
            self.init(phase: phase, kind: .protocolViolation,
                      expected: "a UTF-8 protocol name", got: "bytes that are not UTF-8")
        case .closedDuringNegotiation(let multistreamPhase):
            self.init(phase: phase, kind: .connectionClosed,
                      expected: Self.describe(multistreamPhase), got: "the connection closed")
        }
    }

    private static func describe(_ phase: MultistreamPhase) -> String {
        switch phase {
        case .awaitingHeader: return "the multistream header"
        case .awaitingReply(let proposal): return "an answer to \"\(proposal)\""
        case .awaitingProposal: return "a protocol proposal"
        }
    }

    /// Anything else that ended an upgrade in `phase`.
    package init(phase: UpgradePhase, other error: any Error) {
        if let upgradeError = error as? UpgradeError {
            self = upgradeError
        } else if let multistream = error as? MultistreamError {
            self.init(phase: phase, multistream: multistream)
        } else if let convertible = error as? any UpgradeErrorConvertible {
            self = convertible.upgradeError(in: phase)
        } else {
            self.init(phase: phase, kind: .connectionClosed, expected: "\(phase) to finish", got: "\(error)")
        }
    }
}
