import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The machine a run happened on, as BENCHMARKS.md states it.
struct MachineDescription: Sendable, Codable {
    var cpuModel: String
    var logicalCores: Int
    var memoryGiB: Double
    var kernel: String
    var swiftVersion: String
    var loadAverageAtStart: String
    var loadAverageAtEnd: String = ""

    static func current() -> MachineDescription {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n")
            .first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
            ?? "unknown"
        let meminfo = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
        let kilobytes = meminfo.split(separator: "\n")
            .first { $0.hasPrefix("MemTotal:") }
            .flatMap { line in line.split(separator: " ").dropFirst().first.flatMap { Double($0) } } ?? 0
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return MachineDescription(
            cpuModel: model,
            logicalCores: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))),
            memoryGiB: (kilobytes / 1024 / 1024 * 10).rounded() / 10,
            kernel: "Linux \(release)",
            swiftVersion: swiftCompilerVersion(),
            loadAverageAtStart: loadAverage())
    }

    static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// The compiler this binary was built with, as `swift --version` names it (best effort).
    private static func swiftCompilerVersion() -> String {
        #if compiler(>=6.3)
        let language = "Swift 6.3 or later"
        #else
        let language = "Swift before 6.3"
        #endif
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "--version"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return language }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let line = String(decoding: data, as: UTF8.self).split(separator: "\n").first.map(String.init)
        return line ?? language
    }
}
