import Foundation

extension Duration {
    /// `1.5 s`, `250 ms`, `42 µs`: compact enough for one-line errors and the UI.
    public var formattedShort: String {
        let (seconds, attoseconds) = components
        let micros = Double(seconds) * 1_000_000 + Double(attoseconds) / 1_000_000_000_000
        if micros >= 1_000_000 { return String(format: "%.1f s", micros / 1_000_000) }
        if micros >= 1_000 { return String(format: "%.1f ms", micros / 1_000) }
        return String(format: "%.0f µs", micros)
    }

    /// Whole nanoseconds, as NIO's timers take them.
    public var totalNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// The duration as fractional seconds.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
