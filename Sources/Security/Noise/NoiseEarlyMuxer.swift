/// Early stream-muxer negotiation through Noise extensions (noise.md §6, go-libp2p behaviour).
enum NoiseEarlyMuxer {
    /// Lists longer than this are ignored, as go-libp2p does.
    static let maxAdvertisedMuxers = 100

    /// The first entry of the initiator's list that the responder also lists. Nil when either side
    /// sent no list, a list is over the limit, or there is no overlap: the caller then falls back to
    /// multistream-select over the secured channel instead of failing like the spec's strict rule.
    static func select(initiatorMuxers: [String]?, responderMuxers: [String]?) -> String? {
        guard let initiatorMuxers, let responderMuxers,
            initiatorMuxers.count <= maxAdvertisedMuxers, responderMuxers.count <= maxAdvertisedMuxers
        else {
            return nil
        }
        return initiatorMuxers.first { responderMuxers.contains($0) }
    }
}
