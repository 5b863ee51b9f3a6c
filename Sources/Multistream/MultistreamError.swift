import Multiformats

/// Where a multistream-select negotiation stood when something went wrong.
public enum MultistreamPhase: Sendable, Equatable {
    /// Waiting for the peer's `/multistream/1.0.0` header.
    case awaitingHeader
    /// Dialer: waiting for the answer to `proposal`.
    case awaitingReply(proposal: String)
    /// Listener: waiting for the dialer's next proposal.
    case awaitingProposal
}

/// A failed multistream-select negotiation; each case names the step, what was expected and what
/// arrived (multistream-select.md §1–§2).
public enum MultistreamError: Error, Sendable, Equatable {
    /// The first message was not `/multistream/1.0.0`.
    case unexpectedHeader(got: String)
    /// The dialer proposed `proposed` and the listener answered neither the echo nor `na`.
    case unexpectedReply(proposed: String, got: String)
    /// Every proposal was refused; `answers[i]` is what the listener replied to `proposed[i]`.
    case protocolsRejected(proposed: [String], answers: [String])
    /// The listener refused `limit` proposals and the dialer kept trying.
    case tooManyRejections(limit: Int, proposals: [String])
    /// A message declared more bytes than the limit (checked before reading the body).
    case messageTooLong(limit: Int, declared: UInt64)
    /// The length prefix is not a legal uvarint.
    case invalidLengthPrefix(UVarintError)
    /// A message did not end with `\n` (or was empty).
    case missingNewline
    /// A message's text was not valid UTF-8.
    case invalidUTF8
    /// The connection or stream ended before negotiation finished.
    case closedDuringNegotiation(phase: MultistreamPhase)
}

extension MultistreamError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unexpectedHeader(let got):
            return "multistream: expected header \"\(MultistreamMessage.header)\", got \"\(got)\""
        case .unexpectedReply(let proposed, let got):
            return "multistream: proposed \"\(proposed)\", expected its echo or \"na\", got \"\(got)\""
        case .protocolsRejected(let proposed, let answers):
            return "multistream: peer refused all proposals \(proposed) (answers: \(answers))"
        case .tooManyRejections(let limit, let proposals):
            return "multistream: refused \(limit) proposals, giving up (proposals: \(proposals))"
        case .messageTooLong(let limit, let declared):
            return "multistream: message declares \(declared) bytes, limit is \(limit)"
        case .invalidLengthPrefix(let error):
            return "multistream: invalid length prefix (\(error))"
        case .missingNewline:
            return "multistream: message does not end with a newline"
        case .invalidUTF8:
            return "multistream: message is not valid UTF-8"
        case .closedDuringNegotiation(let phase):
            return "multistream: closed during negotiation (\(phase))"
        }
    }
}
