import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Loads or creates the identity key file: the marshaled `PrivateKey` protobuf, mode 0600.
///
/// A file that group or others may access is refused rather than silently fixed, so the user learns
/// that the key may have leaked.
public enum IdentityFile {
    public static let fileName = "identity.key"
    public static let directoryName = "peerscope"
    /// Larger than any marshaled key (an 8192-bit RSA key is about 4.7 KB).
    public static let maximumFileSize = 16 * 1024

    static let fileMode: mode_t = 0o600
    static let directoryMode: mode_t = 0o700

    /// Resolves `source` to a key: loads the file, creates it with a new `keyType` key if it does
    /// not exist, or generates an ephemeral key. `keyType` is ignored when an existing file is loaded.
    public static func resolve(
        _ source: IdentitySource,
        keyType: KeyType = .ed25519,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(IdentityFileError) -> LoadedIdentity {
        switch source {
        case .ephemeral:
            do {
                return LoadedIdentity(privateKey: try PrivateKey.generate(keyType), origin: .ephemeral)
            } catch {
                throw .keyGenerationFailed(error)
            }
        case .file(let path):
            return try loadOrCreate(at: path, keyType: keyType)
        case .defaultFile:
            return try loadOrCreate(at: try defaultPath(environment: environment), keyType: keyType)
        }
    }

    /// `$XDG_CONFIG_HOME/peerscope/identity.key` if `XDG_CONFIG_HOME` is an absolute path (the XDG
    /// spec says to ignore relative ones), else `$HOME/.config/peerscope/identity.key`.
    public static func defaultPath(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(IdentityFileError) -> String {
        if let configHome = environment["XDG_CONFIG_HOME"], configHome.hasPrefix("/") {
            return join(configHome, directoryName, fileName)
        }
        if let home = environment["HOME"], home.hasPrefix("/") {
            return join(home, ".config", directoryName, fileName)
        }
        throw .noConfigDirectory
    }

    /// Loads the key at `path`, or creates the file (and missing directories, mode 0700) with a new key.
    public static func loadOrCreate(at path: String, keyType: KeyType = .ed25519) throws(IdentityFileError) -> LoadedIdentity {
        if let key = try loadIfPresent(at: path) {
            return LoadedIdentity(privateKey: key, origin: .loaded(path: path))
        }
        do {
            return LoadedIdentity(privateKey: try create(at: path, keyType: keyType), origin: .created(path: path))
        } catch .systemCall(let operation, _, let code) where operation == "create" && code == EEXIST {
            // Another process created it between our two calls; use theirs.
            return LoadedIdentity(privateKey: try load(from: path), origin: .loaded(path: path))
        }
    }

    /// Loads the key at `path`; the file must exist, be a regular file, and have no group/other permissions.
    public static func load(from path: String) throws(IdentityFileError) -> PrivateKey {
        guard let key = try loadIfPresent(at: path) else {
            throw .systemCall(operation: "open", path: path, errno: ENOENT)
        }
        return key
    }

    /// Writes a new `keyType` key to `path`, which must not exist yet. The file is created with mode
    /// 0600 in the `open` call itself, so it is never readable by others, not even briefly.
    public static func create(at path: String, keyType: KeyType = .ed25519) throws(IdentityFileError) -> PrivateKey {
        let key: PrivateKey
        do {
            key = try PrivateKey.generate(keyType)
        } catch {
            throw .keyGenerationFailed(error)
        }
        try createParentDirectories(of: path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, fileMode)
        guard fd >= 0 else { throw .systemCall(operation: "create", path: path, errno: errno) }
        do throws(IdentityFileError) {
            try writeAll(key.marshal(), to: fd, path: path)
            guard fsync(fd) == 0 else { throw IdentityFileError.systemCall(operation: "fsync", path: path, errno: errno) }
        } catch {
            // Leave no half-written key behind; a retry then starts clean.
            close(fd)
            unlink(path)
            throw error
        }
        close(fd)
        return key
    }

    // MARK: - Reading

    private static func loadIfPresent(at path: String) throws(IdentityFileError) -> PrivateKey? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT { return nil }
            throw .systemCall(operation: "open", path: path, errno: code)
        }
        defer { close(fd) }

        // fstat on the open descriptor: the checked file is the file that is read.
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .systemCall(operation: "stat", path: path, errno: errno) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .notARegularFile(path: path) }
        guard status.st_mode & 0o077 == 0 else {
            throw .insecurePermissions(path: path, mode: UInt32(status.st_mode))
        }
        let size = Int(status.st_size)
        guard size <= maximumFileSize else { throw .fileTooLarge(path: path, size: size, limit: maximumFileSize) }

        let bytes = try readAll(from: fd, path: path)
        do {
            return try PrivateKey(marshaled: bytes)
        } catch {
            throw .invalidKey(path: path, error)
        }
    }

    private static func readAll(from fd: Int32, path: String) throws(IdentityFileError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .systemCall(operation: "read", path: path, errno: errno)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk.prefix(count))
            // The file may have grown after fstat; keep the bound.
            guard bytes.count <= maximumFileSize else {
                throw .fileTooLarge(path: path, size: bytes.count, limit: maximumFileSize)
            }
        }
    }

    // MARK: - Writing

    private static func writeAll(_ bytes: [UInt8], to fd: Int32, path: String) throws(IdentityFileError) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .systemCall(operation: "write", path: path, errno: errno)
            }
            offset += count
        }
    }

    /// Creates each missing ancestor directory of `path` with mode 0700.
    private static func createParentDirectories(of path: String) throws(IdentityFileError) {
        let components = path.split(separator: "/", omittingEmptySubsequences: true).dropLast()
        var current = path.hasPrefix("/") ? "" : "."
        for component in components {
            current += "/" + component
            if mkdir(current, directoryMode) != 0 {
                let code = errno
                guard code == EEXIST else { throw .systemCall(operation: "mkdir", path: current, errno: code) }
            }
        }
    }

    private static func join(_ parts: String...) -> String {
        var result = parts[0]
        for part in parts.dropFirst() {
            if !result.hasSuffix("/") { result += "/" }
            result += part
        }
        return result
    }
}
