/// Where the node's identity key comes from.
public enum IdentitySource: Sendable, Equatable {
    /// `$XDG_CONFIG_HOME/peerscope/identity.key`, else `~/.config/peerscope/identity.key`.
    case defaultFile
    case file(path: String)
    /// A fresh key that is never written anywhere.
    case ephemeral
}

/// A private key together with where it came from (for logs and the UI).
public struct LoadedIdentity: Sendable {
    public enum Origin: Sendable, Equatable {
        case loaded(path: String)
        case created(path: String)
        case ephemeral
    }

    public let privateKey: PrivateKey
    public let origin: Origin

    public init(privateKey: PrivateKey, origin: Origin) {
        self.privateKey = privateKey
        self.origin = origin
    }
}
