/// The multibase encodings this node reads and writes (encodings.md §2), with their prefixes.
public enum MultibaseEncoding: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case base16
    case base16upper
    case base32
    case base32upper
    case base36
    case base36upper
    case base58btc
    case base64
    case base64pad
    case base64url
    case base64urlpad

    /// The character that announces this encoding in multibase text.
    public var prefix: Character {
        switch self {
        case .base16: "f"
        case .base16upper: "F"
        case .base32: "b"
        case .base32upper: "B"
        case .base36: "k"
        case .base36upper: "K"
        case .base58btc: "z"
        case .base64: "m"
        case .base64pad: "M"
        case .base64url: "u"
        case .base64urlpad: "U"
        }
    }

    /// The encoding announced by `prefix`, if it is one we support.
    public init?(prefix: Character) {
        guard let match = Self.allCases.first(where: { $0.prefix == prefix }) else { return nil }
        self = match
    }

    /// Name as in the multibase table.
    public var description: String {
        switch self {
        case .base16: "base16"
        case .base16upper: "base16upper"
        case .base32: "base32"
        case .base32upper: "base32upper"
        case .base36: "base36"
        case .base36upper: "base36upper"
        case .base58btc: "base58btc"
        case .base64: "base64"
        case .base64pad: "base64pad"
        case .base64url: "base64url"
        case .base64urlpad: "base64urlpad"
        }
    }

    /// Encodes `bytes` without the multibase prefix.
    public func encode(_ bytes: some Collection<UInt8>) -> String {
        switch self.codec {
        case .radix(let alphabet): alphabet.encode(bytes)
        case .bitGroups(let alphabet): alphabet.encode(bytes)
        }
    }

    /// Decodes `text`, which must not carry the multibase prefix.
    ///
    /// - Parameter offsetBase: added to character offsets in errors, so that they point into the
    ///   caller's original string (1 when the prefix was stripped from it).
    public func decode(_ text: some StringProtocol, offsetBase: Int = 0) throws(MultibaseError) -> [UInt8] {
        let scalars = Substring(text).unicodeScalars
        switch self.codec {
        case .radix(let alphabet):
            return try alphabet.decode(scalars, offsetBase: offsetBase, encoding: self)
        case .bitGroups(let alphabet):
            return try alphabet.decode(scalars, offsetBase: offsetBase, encoding: self)
        }
    }

    private enum Codec {
        case radix(RadixAlphabet)
        case bitGroups(BitGroupAlphabet)
    }

    private var codec: Codec {
        switch self {
        case .base16: .bitGroups(.base16)
        case .base16upper: .bitGroups(.base16upper)
        case .base32: .bitGroups(.base32)
        case .base32upper: .bitGroups(.base32upper)
        case .base36: .radix(.base36)
        case .base36upper: .radix(.base36upper)
        case .base58btc: .radix(.base58btc)
        case .base64: .bitGroups(.base64)
        case .base64pad: .bitGroups(.base64pad)
        case .base64url: .bitGroups(.base64url)
        case .base64urlpad: .bitGroups(.base64urlpad)
        }
    }
}
