import Foundation
import Testing

@testable import Core
@testable import Events
@testable import Identity
@testable import Multiformats
@testable import Multistream
@testable import Node
@testable import Noise
@testable import Protocols
@testable import TCP
@testable import Upgrade
@testable import Yamux

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The identity key file: creation mode, reload, refusal of loose permissions, default paths, ephemeral keys.
@Suite struct IdentityFileTests {
    /// A fresh directory per test, removed afterwards.
    final class TemporaryDirectory {
        let path: String

        init() throws {
            let base = FileManager.default.temporaryDirectory.path
            path = base + "/peerscope-identity-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        }

        deinit {
            try? FileManager.default.removeItem(atPath: path)
        }

        func contents() throws -> [String] {
            try FileManager.default.subpathsOfDirectory(atPath: path).sorted()
        }
    }

    static func mode(of path: String) throws -> mode_t {
        var status = stat()
        try #require(stat(path, &status) == 0)
        return status.st_mode & 0o7777
    }

    @Test func createThenReloadGivesTheSameKey() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/identity.key"
        let created = try IdentityFile.loadOrCreate(at: path)
        #expect(created.origin == .created(path: path))
        #expect(created.privateKey.keyType == .ed25519)

        let loaded = try IdentityFile.loadOrCreate(at: path)
        #expect(loaded.origin == .loaded(path: path))
        #expect(loaded.privateKey.marshal() == created.privateKey.marshal())
        #expect(loaded.privateKey.publicKey == created.privateKey.publicKey)

        let fileBytes = try #require(FileManager.default.contents(atPath: path))
        #expect([UInt8](fileBytes) == created.privateKey.marshal())
    }

    // The umask is process-wide and tests run in parallel, so this runs under the inherited umask
    // rather than clearing it.
    @Test func createdFileHasMode0600() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/identity.key"
        _ = try IdentityFile.create(at: path)
        #expect(try Self.mode(of: path) == 0o600)
    }

    @Test func missingDirectoriesAreCreatedWithMode0700() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/config/peerscope/identity.key"
        _ = try IdentityFile.loadOrCreate(at: path, keyType: .secp256k1)
        #expect(try Self.mode(of: directory.path + "/config") == 0o700)
        #expect(try Self.mode(of: directory.path + "/config/peerscope") == 0o700)
        #expect(try IdentityFile.load(from: path).keyType == .secp256k1)
    }

    @Test func worldReadableFileIsRefusedWithTheFix() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/identity.key"
        _ = try IdentityFile.create(at: path)
        try #require(chmod(path, 0o644) == 0)

        let error = #expect(throws: IdentityFileError.self) { try IdentityFile.loadOrCreate(at: path) }
        #expect(error == .insecurePermissions(path: path, mode: UInt32(S_IFREG) | 0o644))
        let message = error?.description ?? ""
        #expect(message.contains(path))
        #expect(message.contains("0644"))
        #expect(message.contains("chmod 600 \(path)"))
    }

    @Test(arguments: [0o640, 0o604, 0o660, 0o620, 0o602, 0o610])
    func anyGroupOrOtherPermissionIsRefused(_ mode: Int) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/identity.key"
        _ = try IdentityFile.create(at: path)
        try #require(chmod(path, mode_t(mode)) == 0)
        #expect(throws: IdentityFileError.insecurePermissions(path: path, mode: UInt32(S_IFREG) | UInt32(mode))) {
            try IdentityFile.load(from: path)
        }
    }

    @Test func corruptFileIsReportedNotReplaced() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/identity.key"
        try #require(FileManager.default.createFile(atPath: path, contents: Data([0x08, 0x04, 0x12, 0x00]), attributes: [.posixPermissions: 0o600]))
        #expect(throws: IdentityFileError.invalidKey(path: path, .unknownKeyType(4))) { try IdentityFile.loadOrCreate(at: path) }
        #expect(FileManager.default.contents(atPath: path) == Data([0x08, 0x04, 0x12, 0x00]))
    }

    @Test func oversizedFileIsRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/identity.key"
        let size = IdentityFile.maximumFileSize + 1
        try #require(FileManager.default.createFile(atPath: path, contents: Data(count: size), attributes: [.posixPermissions: 0o600]))
        #expect(throws: IdentityFileError.fileTooLarge(path: path, size: size, limit: IdentityFile.maximumFileSize)) {
            try IdentityFile.load(from: path)
        }
    }

    @Test func directoryInPlaceOfTheFileIsRefused() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: IdentityFileError.notARegularFile(path: directory.path)) { try IdentityFile.load(from: directory.path) }
    }

    @Test func createNeverOverwritesAnExistingFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/identity.key"
        let first = try IdentityFile.create(at: path)
        #expect(throws: IdentityFileError.systemCall(operation: "create", path: path, errno: EEXIST)) {
            try IdentityFile.create(at: path)
        }
        #expect(try IdentityFile.load(from: path).marshal() == first.marshal())
    }

    @Test func loadingAMissingFileFails() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/absent.key"
        #expect(throws: IdentityFileError.systemCall(operation: "open", path: path, errno: ENOENT)) {
            try IdentityFile.load(from: path)
        }
    }

    @Test func ephemeralIdentityWritesNothing() throws {
        let directory = try TemporaryDirectory()
        let environment = ["XDG_CONFIG_HOME": directory.path, "HOME": directory.path]
        let identity = try IdentityFile.resolve(.ephemeral, keyType: .ecdsa, environment: environment)
        #expect(identity.origin == .ephemeral)
        #expect(identity.privateKey.keyType == .ecdsa)
        #expect(try directory.contents().isEmpty)
    }

    @Test func defaultFileUsesXDGConfigHome() throws {
        let directory = try TemporaryDirectory()
        let environment = ["XDG_CONFIG_HOME": directory.path, "HOME": "/nonexistent-home"]
        let identity = try IdentityFile.resolve(.defaultFile, environment: environment)
        let expected = directory.path + "/peerscope/identity.key"
        #expect(identity.origin == .created(path: expected))
        #expect(try directory.contents() == ["peerscope", "peerscope/identity.key"])
        #expect(try Self.mode(of: expected) == 0o600)
    }

    @Test func defaultPathRules() throws {
        #expect(try IdentityFile.defaultPath(environment: ["XDG_CONFIG_HOME": "/x/cfg", "HOME": "/home/u"]) == "/x/cfg/peerscope/identity.key")
        #expect(try IdentityFile.defaultPath(environment: ["XDG_CONFIG_HOME": "/x/cfg/"]) == "/x/cfg/peerscope/identity.key")
        // Relative XDG_CONFIG_HOME values are ignored (XDG Base Directory spec).
        #expect(try IdentityFile.defaultPath(environment: ["XDG_CONFIG_HOME": "cfg", "HOME": "/home/u"]) == "/home/u/.config/peerscope/identity.key")
        #expect(try IdentityFile.defaultPath(environment: ["HOME": "/home/u"]) == "/home/u/.config/peerscope/identity.key")
        #expect(throws: IdentityFileError.noConfigDirectory) { try IdentityFile.defaultPath(environment: [:]) }
    }

    @Test func explicitFileSourceCreatesTheRequestedKeyType() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/node.key"
        let identity = try IdentityFile.resolve(.file(path: path), keyType: .secp256k1, environment: [:])
        #expect(identity.origin == .created(path: path))
        #expect(identity.privateKey.keyType == .secp256k1)
        // An existing file wins over the requested type.
        let again = try IdentityFile.resolve(.file(path: path), keyType: .ed25519, environment: [:])
        #expect(again.origin == .loaded(path: path))
        #expect(again.privateKey.keyType == .secp256k1)
    }
}
