/// Short human-readable numbers for table cells.
enum Format {
    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// "850µs", "12.3ms", "4.2s", "3m05s", "2h10m"
    static func duration(_ duration: Duration) -> String {
        let s = seconds(duration)
        if s < 0.001 { return "\(Int((s * 1_000_000).rounded()))µs" }
        if s < 0.1 { return "\(oneDecimal(s * 1000))ms" }
        if s < 1 { return "\(Int((s * 1000).rounded()))ms" }
        if s < 60 { return "\(oneDecimal(s))s" }
        return age(duration)
    }

    /// Whole units: "12s", "3m05s", "2h10m".
    static func age(_ duration: Duration) -> String {
        let total = max(0, Int(seconds(duration)))
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m\(pad(total % 60))s" }
        return "\(total / 3600)h\(pad(total % 3600 / 60))m"
    }

    /// "512B", "1.5K", "12M", "3.1G"
    static func bytes(_ count: UInt64) -> String {
        let units = ["B", "K", "M", "G", "T"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(count)B" }
        return value < 10 ? "\(oneDecimal(value))\(units[unit])" : "\(Int(value.rounded()))\(units[unit])"
    }

    static func rate(_ perSecond: Double) -> String { "\(bytes(UInt64(max(0, perSecond))))/s" }

    private static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
