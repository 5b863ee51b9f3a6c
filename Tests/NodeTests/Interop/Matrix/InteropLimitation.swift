import Identity

/// A cell that cannot pass because of the peer's own limitation, with the reason. Such a cell is still
/// run: it must fail (a pass means the limitation is gone and this list is wrong), and the table shows
/// it as "n/a" with the reason instead of as a failure of ours.
struct InteropLimitation: Sendable {
    let reason: String
    let applies: @Sendable (InteropCell) -> Bool
    /// The checks the limitation breaks; nil means the whole connection cannot come up.
    let checks: Set<String>?

    static let known: [InteropLimitation] = [
        InteropLimitation(
            reason: "py-libp2p 0.8.1 cannot load an ECDSA public key (MissingDeserializerError for key type 3)",
            applies: { $0.peer == .py && $0.ourKey == .ecdsa },
            checks: nil),
    ]

    static func limitation(for cell: InteropCell) -> InteropLimitation? {
        known.first { $0.applies(cell) }
    }
}
