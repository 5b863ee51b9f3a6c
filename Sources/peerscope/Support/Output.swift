import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes whole lines straight to the file descriptors, unbuffered: a listener's first line must
/// reach a pipe at once, and lines from several tasks must not interleave mid-line.
enum Output {
    static func line(_ text: String) { write(text + "\n", to: STDOUT_FILENO) }
    static func error(_ text: String) { write(text + "\n", to: STDERR_FILENO) }
    /// Progress that redraws one terminal line (only called when stderr is a terminal).
    static func progress(_ text: String) { write("\r\u{1B}[2K" + text, to: STDERR_FILENO) }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    static func write(_ text: String, to descriptor: Int32) { write(Array(text.utf8), to: descriptor) }

    static func write(_ data: [UInt8], to descriptor: Int32) {
        var bytes = data[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { systemWrite(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }
}

#if canImport(Glibc)
let systemWrite = Glibc.write
let systemRead = Glibc.read
#elseif canImport(Darwin)
let systemWrite = Darwin.write
let systemRead = Darwin.read
#endif
