/// Median and spread of repeated runs, and percentiles of latency samples.
struct Summary: Sendable, Codable, Equatable {
    let median: Double
    let min: Double
    let max: Double
    let count: Int

    init(_ values: [Double]) {
        precondition(!values.isEmpty, "a summary needs at least one value")
        let sorted = values.sorted()
        self.median = Self.median(ofSorted: sorted)
        self.min = sorted[0]
        self.max = sorted[sorted.count - 1]
        self.count = sorted.count
    }

    static func median(ofSorted sorted: [Double]) -> Double {
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

enum Percentile {
    /// Nearest-rank percentile (`p` in 0...100) of unsorted samples.
    static func of(_ samples: [Double], _ p: Double) -> Double {
        precondition(!samples.isEmpty, "a percentile needs at least one sample")
        let sorted = samples.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[Swift.min(Swift.max(rank, 1), sorted.count) - 1]
    }
}

extension Duration {
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }

    var milliseconds: Double { seconds * 1e3 }
    var microseconds: Double { seconds * 1e6 }
}

/// 10^6 bytes per second.
func megabytesPerSecond(_ bytes: UInt64, _ elapsed: Duration) -> Double {
    Double(bytes) / 1e6 / Swift.max(elapsed.seconds, 1e-9)
}
