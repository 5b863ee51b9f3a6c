import ArgumentParser
import Node

/// `--identity FILE | --ephemeral` and `--key-type`, shared by every command that runs a node.
struct IdentityOptions: ParsableArguments {
    @Option(name: .long, help: "Private key file (created with mode 0600 if missing). Default: $XDG_CONFIG_HOME/peerscope/identity.key")
    var identity: String?

    @Flag(name: .long, help: "Use a fresh key that is never written to disk.")
    var ephemeral = false

    @Option(name: .long, help: "Key type when a key is created: ed25519, secp256k1, ecdsa or rsa.")
    var keyType: String = "ed25519"

    func validate() throws {
        if identity != nil && ephemeral {
            throw ValidationError("--identity and --ephemeral exclude each other")
        }
        if KeyType(name: keyType) == nil {
            throw ValidationError("unknown key type '\(keyType)': use ed25519, secp256k1, ecdsa or rsa")
        }
    }

    func resolve() throws -> LoadedIdentity {
        let source: IdentitySource = ephemeral ? .ephemeral : identity.map { .file(path: $0) } ?? .defaultFile
        return try IdentityFile.resolve(source, keyType: KeyType(name: keyType) ?? .ed25519)
    }
}
