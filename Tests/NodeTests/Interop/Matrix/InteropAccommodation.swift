/// A way a cell's checks are run differently to suit the peer, shown in the table's note column. The
/// cell must still pass every check; the note says what the check did not exercise.
struct InteropAccommodation: Sendable {
    let note: String
    let applies: @Sendable (InteropCell) -> Bool

    static let known: [InteropAccommodation] = [
        InteropAccommodation(
            note: "half duplex: py writes each echo whole, then reads (a py-libp2p 0.8.1 mplex read locks out writes)",
            applies: { $0.peer == .py && $0.muxer == "mplex" && $0.direction == .theyDial }),
        InteropAccommodation(
            note: "echo half-closes only after its bytes came back (kubo's /x/ stream mounting ends both ways at EOF)",
            applies: { $0.peer == .kubo }),
    ]

    static func accommodation(for cell: InteropCell) -> InteropAccommodation? {
        known.first { $0.applies(cell) }
    }
}
