import ArgumentParser
import Node

/// `peerscope id`: which peer this machine is.
struct IDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "id", abstract: "Print the local peer ID and key type (creating the identity file if needed).")

    @OptionGroup var identityOptions: IdentityOptions

    func run() throws {
        let identity: LoadedIdentity
        do {
            identity = try identityOptions.resolve()
        } catch {
            throw CLIError("\(error)")
        }
        let key = identity.privateKey
        print(key.peerID.base58)
        switch identity.origin {
        case .loaded(let path): print("key: \(key.keyType.name), loaded from \(path)")
        case .created(let path): print("key: \(key.keyType.name), created at \(path)")
        case .ephemeral: print("key: \(key.keyType.name), ephemeral")
        }
    }
}
