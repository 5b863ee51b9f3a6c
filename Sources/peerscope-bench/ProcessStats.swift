import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// CPU seconds a process has used, user and system.
struct CPUTime: Sendable, Codable, Equatable {
    var user: Double
    var system: Double

    var total: Double { user + system }

    static func - (lhs: CPUTime, rhs: CPUTime) -> CPUTime {
        CPUTime(user: lhs.user - rhs.user, system: lhs.system - rhs.system)
    }
}

/// What the benchmark reads about processes: its own through getrusage and /proc/self, children's
/// (py peers) through /proc/<pid>.
enum ProcessStats {
    /// This process, every thread (getrusage RUSAGE_SELF).
    static func ownCPU() -> CPUTime {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return CPUTime(user: seconds(usage.ru_utime), system: seconds(usage.ru_stime))
    }

    /// Resident set size of this process now, in bytes.
    static func ownResidentBytes() -> Int {
        residentBytes(statm: "/proc/self/statm") ?? 0
    }

    /// Another process's CPU time from /proc/<pid>/stat (clock-tick resolution, 10 ms here).
    static func cpu(of pid: Int32) -> CPUTime? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return CPUTime(user: user / ticks, system: system / ticks)
    }

    static func residentBytes(of pid: Int32) -> Int? {
        residentBytes(statm: "/proc/\(pid)/statm")
    }

    private static func residentBytes(statm path: String) -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    private static func seconds(_ value: timeval) -> Double {
        Double(value.tv_sec) + Double(value.tv_usec) / 1e6
    }
}
