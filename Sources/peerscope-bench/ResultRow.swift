import Foundation

/// A goal from the issue, checked against a row's median or its ratio to the baseline.
struct Target: Codable, Sendable {
    enum Kind: String, Codable, Sendable {
        case valueAtLeast
        case valueAtMost
        case ratioAtLeast
        case ratioAtMost
    }

    var kind: Kind
    var bound: Double

    static func atLeast(_ bound: Double) -> Target { Target(kind: .valueAtLeast, bound: bound) }
    static func atMost(_ bound: Double) -> Target { Target(kind: .valueAtMost, bound: bound) }
    static func ratioAtLeast(_ bound: Double) -> Target { Target(kind: .ratioAtLeast, bound: bound) }
    static func ratioAtMost(_ bound: Double) -> Target { Target(kind: .ratioAtMost, bound: bound) }

    func text(unit: String) -> String {
        switch kind {
        case .valueAtLeast: "≥ \(Format.number(bound)) \(unit)"
        case .valueAtMost: "≤ \(Format.number(bound)) \(unit)"
        case .ratioAtLeast: "ratio ≥ \(Format.number(bound))"
        case .ratioAtMost: "ratio ≤ \(Format.number(bound))"
        }
    }

    func isMet(value: Double, ratio: Double?) -> Bool? {
        switch kind {
        case .valueAtLeast: value >= bound
        case .valueAtMost: value <= bound
        case .ratioAtLeast: ratio.map { $0 >= bound }
        case .ratioAtMost: ratio.map { $0 <= bound }
        }
    }
}

/// A baseline figure a row is compared with.
struct BaselineRef: Codable, Sendable {
    var name: String
    var value: Double
}

/// One line of the results table: the runs of one figure, or why it could not be measured.
struct ResultRow: Codable, Sendable {
    var figure: String
    var what: String
    var unit: String
    var runs: [Double] = []
    var baseline: BaselineRef?
    var targets: [Target] = []
    var failure: String?
    var lowerIsBetter = false

    var summary: Summary? { runs.isEmpty ? nil : Summary(runs) }

    /// Median ÷ baseline median.
    var ratio: Double? {
        guard let summary, let baseline, baseline.value != 0 else { return nil }
        return summary.median / baseline.value
    }

    /// nil when the row has no target or was not measured.
    var targetMet: Bool? {
        guard let summary, !targets.isEmpty else { return nil }
        let results = targets.map { $0.isMet(value: summary.median, ratio: ratio) }
        if results.contains(where: { $0 == nil }) { return nil }
        return results.allSatisfy { $0 == true }
    }

    static func failed(_ figure: String, _ what: String, _ reason: String) -> ResultRow {
        ResultRow(figure: figure, what: what, unit: "", failure: reason)
    }
}

enum Format {
    /// Three significant digits or so, without exponent notation.
    static func number(_ value: Double) -> String {
        let magnitude = abs(value)
        let decimals: Int
        switch magnitude {
        case 100...: decimals = 0
        case 10..<100: decimals = 1
        case 1..<10: decimals = 2
        case 0.1..<1: decimals = 3
        default: decimals = 4
        }
        return fixed(value, decimals: decimals)
    }

    static func fixed(_ value: Double, decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }

    static func value(_ row: ResultRow) -> String {
        if let failure = row.failure {
            // The table keeps one line per row; the whole reason is in the notes.
            let firstLine = failure.split(separator: "\n").first.map(String.init) ?? failure
            return "not measured: " + (firstLine.count > 90 ? firstLine.prefix(89) + "…" : firstLine)
        }
        guard let summary = row.summary else { return "—" }
        let median = "\(number(summary.median)) \(row.unit)"
        guard summary.count > 1 else { return median + " (1 run)" }
        return "\(median) (\(number(summary.min))–\(number(summary.max)), n=\(summary.count))"
    }

    static func baseline(_ row: ResultRow) -> String {
        guard let baseline = row.baseline else { return "—" }
        return "\(baseline.name) \(number(baseline.value)) \(row.unit)"
    }

    static func ratio(_ row: ResultRow) -> String {
        guard let ratio = row.ratio else { return "—" }
        return number(ratio) + "×"
    }

    static func target(_ row: ResultRow) -> String {
        guard !row.targets.isEmpty else { return "—" }
        let text = row.targets.map { $0.text(unit: row.unit) }.joined(separator: ", ")
        switch row.targetMet {
        case .some(true): return text + " ✓"
        case .some(false): return text + " ✗"
        case .none: return text
        }
    }
}

/// The table as printed and as written into BENCHMARKS.md.
enum ResultTable {
    static let headers = ["fig", "what", "value: median (min–max, runs)", "baseline (median)", "ratio", "target"]

    static func cells(_ row: ResultRow) -> [String] {
        [row.figure, row.what, Format.value(row), Format.baseline(row), Format.ratio(row), Format.target(row)]
    }

    static func markdown(_ rows: [ResultRow]) -> String {
        var lines = ["| " + headers.joined(separator: " | ") + " |",
                     "|" + headers.map { _ in "---" }.joined(separator: "|") + "|"]
        for row in rows {
            lines.append("| " + cells(row).map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    static func plain(_ rows: [ResultRow]) -> String {
        let table = [headers] + rows.map(cells)
        var widths = [Int](repeating: 0, count: headers.count)
        for line in table {
            for (index, cell) in line.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return table.enumerated().map { index, line in
            let text = line.enumerated().map { column, cell in
                cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
            guard index == 0 else { return text }
            return text + "\n" + widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
