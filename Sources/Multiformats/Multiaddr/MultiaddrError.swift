/// Why text or bytes are not a multiaddr. Offsets are UTF-8 byte offsets into the text, or byte
/// offsets into the binary form; values from binary input are shown as hex.
public enum MultiaddrError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No components at all (`""`, `/`, or zero bytes).
    case empty
    /// Text must start with `/`.
    case missingLeadingSlash
    /// A text name that is no protocol we know.
    case unknownProtocol(name: String, offset: Int)
    /// A protocol that needs a value came last, or its value was empty where one is required.
    case missingValue(protocol: String, offset: Int)
    case invalidValue(protocol: String, value: String, offset: Int, reason: String)
    /// A binary protocol code we do not know.
    case unknownCode(code: UInt64, offset: Int)
    /// A malformed uvarint (code or value length); `protocol` is set when reading a value length.
    case invalidVarint(protocol: String?, offset: Int, UVarintError)
    /// The bytes end inside a uvarint (code or value length).
    case truncatedVarint(protocol: String?, offset: Int)
    /// The bytes end inside a value: `needed` value bytes were declared or required.
    case truncated(protocol: String, offset: Int, needed: UInt64, available: Int)
    /// A component after a path protocol (`unix`), which must be last.
    case componentAfterPath(pathProtocol: String, offset: Int)

    public var description: String {
        switch self {
        case .empty:
            return "empty multiaddr"
        case .missingLeadingSlash:
            return "multiaddr text must begin with '/'"
        case .unknownProtocol(let name, let offset):
            return "unknown multiaddr protocol \"\(name)\" at offset \(offset)"
        case .missingValue(let proto, let offset):
            return "/\(proto) at offset \(offset) needs a value"
        case .invalidValue(let proto, let value, let offset, let reason):
            return "invalid /\(proto) value \"\(value)\" at offset \(offset): \(reason)"
        case .unknownCode(let code, let offset):
            return "unknown multiaddr protocol code 0x\(String(code, radix: 16)) at byte \(offset)"
        case .invalidVarint(let proto, let offset, let error):
            let what = proto.map { "/\($0) value length" } ?? "protocol code"
            return "invalid \(what) at byte \(offset): \(error)"
        case .truncatedVarint(let proto, let offset):
            let what = proto.map { "/\($0) value length" } ?? "protocol code"
            return "multiaddr ends inside the \(what) starting at byte \(offset)"
        case .truncated(let proto, let offset, let needed, let available):
            return "/\(proto) value at byte \(offset) needs \(needed) bytes, only \(available) left"
        case .componentAfterPath(let pathProtocol, let offset):
            return "nothing may follow /\(pathProtocol), but a component starts at offset \(offset)"
        }
    }
}
