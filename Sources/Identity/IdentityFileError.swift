#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the identity key file could not be used. Descriptions name the path and the fix.
public enum IdentityFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file grants some permission to group or others (`mode & 0o077 != 0`).
    case insecurePermissions(path: String, mode: UInt32)
    case notARegularFile(path: String)
    case fileTooLarge(path: String, size: Int, limit: Int)
    /// The file exists but does not hold a valid marshaled private key.
    case invalidKey(path: String, KeyError)
    case keyGenerationFailed(KeyError)
    /// Neither `XDG_CONFIG_HOME` (absolute) nor a home directory is available.
    case noConfigDirectory
    /// A system call failed; `operation` names it (open, read, write, mkdir, …).
    case systemCall(operation: String, path: String, errno: Int32)

    public var description: String {
        switch self {
        case .insecurePermissions(let path, let mode):
            let octal = String(mode & 0o7777, radix: 8)
            return "identity file \(path) has mode 0\(octal), so group or others can access the private key; "
                + "refusing to use it. Fix: chmod 600 \(path)"
        case .notARegularFile(let path):
            return "identity file \(path) is not a regular file"
        case .fileTooLarge(let path, let size, let limit):
            return "identity file \(path) is \(size) bytes, more than the \(limit) a private key needs"
        case .invalidKey(let path, let error):
            return "identity file \(path) does not contain a valid private key: \(error)"
        case .keyGenerationFailed(let error):
            return "could not generate an identity key: \(error)"
        case .noConfigDirectory:
            return "cannot find a config directory: set XDG_CONFIG_HOME or HOME"
        case .systemCall(let operation, let path, let errno):
            return "\(operation) \(path) failed: \(SystemErrorText.describe(errno)) (errno \(errno))"
        }
    }
}

/// `strerror` text for an errno value, for error descriptions.
enum SystemErrorText {
    static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "unknown error" }
        return String(cString: text)
    }
}
