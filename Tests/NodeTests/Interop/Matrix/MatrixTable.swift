import Foundation

/// The matrix as a Markdown table: one row per cell, ✓ / ✗ per check, "n/a" with the reason for a
/// cell the peer cannot do.
enum MatrixTable {
    static func render(_ results: [InteropCellResult]) -> String {
        var lines = [
            "| direction | peer | transport | security | muxer | our key | their key | ping | identify | echo 1 MiB | 10 streams | note |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for result in results {
            let cell = result.cell
            let limitation = InteropLimitation.limitation(for: cell)
            let marks = InteropCell.checks.map { name -> String in
                if let limitation, limitation.checks == nil || limitation.checks?.contains(name) == true { return "n/a" }
                if result.connectionFailure != nil { return "✗" }
                if case .passed = result.checks[name] { return "✓" }
                return "✗"
            }
            let note = limitation?.reason ?? result.failureReason.map(oneLine)
                ?? InteropAccommodation.accommodation(for: cell)?.note ?? ""
            lines.append("| \(cell.direction.rawValue) | \(cell.peer.rawValue) | \(cell.transport) | \(cell.security) | \(cell.muxer) | "
                + "\(cell.ourKey.name) | \(cell.theirKey) | \(marks.joined(separator: " | ")) | \(note) |")
        }
        return lines.joined(separator: "\n")
    }

    /// "passed / total" over the cells that are expected to work, and the count of known limitations.
    static func summary(_ results: [InteropCellResult]) -> String {
        let expected = results.filter { InteropLimitation.limitation(for: $0.cell) == nil }
        let passed = expected.filter(\.passed).count
        let limited = results.count - expected.count
        return "\(passed) / \(expected.count) cells passed; \(limited) cells n/a (the peer's own limitation)"
    }

    /// Errors can span lines (py tracebacks); a table cell cannot.
    private static func oneLine(_ text: String) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ").replacingOccurrences(of: "|", with: "/")
        return flat.count > 160 ? String(flat.prefix(157)) + "…" : flat
    }
}
