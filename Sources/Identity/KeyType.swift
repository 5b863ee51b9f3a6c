/// The key algorithms of the libp2p `KeyType` protobuf enum (peer-id.md §1).
///
/// The raw values are the enum numbers that go on the wire. py-libp2p's non-standard
/// values 4 (`ECC_P256`) and 5 (`X25519`) are deliberately absent so that decoding rejects them.
public enum KeyType: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case rsa = 0
    case ed25519 = 1
    case secp256k1 = 2
    case ecdsa = 3

    /// The lower-case name used on the command line and in logs.
    public var name: String {
        switch self {
        case .rsa: "rsa"
        case .ed25519: "ed25519"
        case .secp256k1: "secp256k1"
        case .ecdsa: "ecdsa"
        }
    }

    /// Looks a key type up by its `name` (case-insensitive); nil for unknown names.
    public init?(name: String) {
        let lowered = name.lowercased()
        guard let match = KeyType.allCases.first(where: { $0.name == lowered }) else { return nil }
        self = match
    }

    public var description: String { name }
}
