import Identity
import Mplex
import Multiformats
import Multistream
import Noise
import Protocols
import Resolve
import TLS
import WebSocket
import Yamux

/// Every fuzz target, in layer order. A new parser that reads network bytes gets its entry here.
package enum FuzzTargetRegistry {
    package static let all: [FuzzTarget] = [
        FuzzTarget("uvarint", "uvarint decoding: minimal re-encoding, ByteBuffer reader agrees", MultiformatsFuzzEntries.uvarint),
        FuzzTarget("multiaddr-binary", "binary multiaddr: bytes and text round-trip", MultiformatsFuzzEntries.multiaddrBinary),
        FuzzTarget("multiaddr-text", "text multiaddr: text and bytes round-trip", MultiformatsFuzzEntries.multiaddrText),
        FuzzTarget("peer-id", "peer ID bytes and text: base58 and CID round-trip", MultiformatsFuzzEntries.peerID),
        FuzzTarget("multibase", "multibase text: decode/encode round-trip", MultiformatsFuzzEntries.multibase),
        FuzzTarget("public-key", "PublicKey protobuf: re-marshals to the same bytes, peer ID inlines them", IdentityFuzzEntries.publicKey),
        FuzzTarget("private-key", "PrivateKey protobuf: stable canonical form, signatures verify", IdentityFuzzEntries.privateKey),
        FuzzTarget("multistream-listener", "multistream-select listener in chunks: only supported protocols, bounded answers, exact leftover", MultistreamFuzzEntries.listener),
        FuzzTarget("multistream-dialer", "multistream-select dialer (lazy or not) in chunks: only proposed protocols, exact leftover", MultistreamFuzzEntries.dialer),
        FuzzTarget("noise-frames", "Noise frame decoder in chunks: frames and rest rebuild the input, one partial frame at most", NoiseFuzzEntries.frames),
        FuzzTarget("noise-handshake", "Noise XX initiator or responder fed the peer's messages: own messages only, completes only with the seed identity", NoiseFuzzEntries.handshake),
        FuzzTarget("noise-payload", "NoiseHandshakePayload: a verified payload names its signer and covers one static key", NoiseFuzzEntries.payload),
        FuzzTarget("noise-transport", "Noise transport frames after a handshake: plaintext only from authentic frames", NoiseFuzzEntries.transport),
        FuzzTarget("tls-key-extension", "libp2p TLS SignedKey extension: DER round-trip", TLSFuzzEntries.keyExtension),
        FuzzTarget("tls-certificate", "libp2p TLS certificate check: verified certificates name their host key", TLSFuzzEntries.certificate),
        FuzzTarget("yamux-frames", "yamux frame decoder in chunks: headers and bodies re-encode to the input", YamuxFuzzEntries.frames),
        FuzzTarget("yamux-session", "yamux server session: windows, stream limits, replies bounded by input, silence after close", YamuxFuzzEntries.session),
        FuzzTarget("mplex-frames", "mplex frame decoder in chunks: minimal headers re-encode to the input", MplexFuzzEntries.frames),
        FuzzTarget("mplex-session", "mplex session: unread bytes under stream and connection limits, bounded replies", MplexFuzzEntries.session),
        FuzzTarget("identify", "identify stream: merged message re-encodes, limits hold, other peers' keys and records refused", ProtocolsFuzzEntries.identify),
        FuzzTarget("signed-envelope", "signed envelope: marshal round-trip, records verify only for their signer", ProtocolsFuzzEntries.signedEnvelope),
        FuzzTarget("peer-record", "peer record: marshal round-trip", ProtocolsFuzzEntries.peerRecord),
        FuzzTarget("perf-header", "perf request header: 8-byte round-trip", ProtocolsFuzzEntries.perfHeader),
        FuzzTarget("dns-answer", "DNS answer message via libresolv: only the asked type, record and size limits hold", ResolveFuzzEntries.answer),
        FuzzTarget("websocket-frames", "WebSocket frames into the byte-stream handler: bounded delivery and replies, silence after close, named errors", WebSocketFuzzEntries.frames),
        FuzzTarget("websocket-round-trip", "WebSocket writes through frames and back: the same bytes arrive", WebSocketFuzzEntries.roundTrip),
        FuzzTarget("dnsaddr-resolution", "a scripted dnsaddr zone: bounded questions, only dialable addresses of the wanted peer", ResolveFuzzEntries.resolution),
    ]

    package static func target(named name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }

    /// Starting inputs made by our own encoders, per target: valid messages for the fuzzer to mutate.
    package static func seeds() -> [String: [[UInt8]]] {
        var seeds = multiformatsSeeds()
        for group in [
            multistreamSeeds(), NoiseFuzzEntries.seeds(), TLSFuzzEntries.seeds(), YamuxFuzzEntries.seeds(),
            MplexFuzzEntries.seeds(), ProtocolsFuzzEntries.seeds(), ResolveFuzzEntries.seeds(), WebSocketFuzzEntries.seeds(),
        ] {
            seeds.merge(group) { $0 + $1 }
        }
        if let key = try? PrivateKey(keyType: .ed25519, rawData: [UInt8](repeating: 0x5e, count: 32)) {
            seeds["public-key"] = [key.publicKey.marshal()]
            seeds["private-key"] = [key.marshal()]
        }
        if let key = try? PrivateKey(keyType: .secp256k1, rawData: [UInt8](repeating: 0x21, count: 32)) {
            seeds["public-key", default: []].append(key.publicKey.marshal())
            seeds["private-key", default: []].append(key.marshal())
        }
        return seeds
    }

    static func multiformatsSeeds() -> [String: [[UInt8]]] {
        let texts = [
            "/ip4/127.0.0.1/tcp/4001", "/ip6/::1/udp/4001/quic-v1", "/dns4/example.com/tcp/443/wss",
            "/ip4/10.0.0.1/tcp/4001/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA/p2p-circuit",
        ]
        let addresses = texts.compactMap { try? Multiaddr($0) }
        var peerIDs: [[UInt8]] = []
        if let id = try? PeerID("12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA") {
            peerIDs = [id.bytes, Array(id.base58.utf8), Array(id.cidString.utf8)]
        }
        return [
            "uvarint": [[0x00], [0xac, 0x02], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]],
            "multiaddr-binary": addresses.map(\.bytes),
            "multiaddr-text": texts.map { Array($0.utf8) },
            "peer-id": peerIDs,
            "multibase": [Array("zQmYtUc4iTCbbfVSDNKvtQqrfyezPPnFvE33wFmutw9PBBk".utf8), Array("mAXASIA".utf8), Array("bafy".utf8)],
        ]
    }

    static func multistreamSeeds() -> [String: [[UInt8]]] {
        func messages(_ texts: String...) -> [UInt8] {
            texts.flatMap { text -> [UInt8] in
                let body = Array((text + "\n").utf8)
                return UVarint.encode(UInt64(body.count)) + body
            }
        }
        return [
            "multistream-listener": [
                [0x80] + messages("/multistream/1.0.0", "/tls/1.0.0", "ls", "/noise") + [0, 32],
                [0x05] + messages("/multistream/1.0.0", "/yamux/1.0.0"),
            ],
            "multistream-dialer": [
                [0x80] + messages("/multistream/1.0.0", "na", "/tls/1.0.0") + [1, 2, 3],
                [0xc0] + messages("/multistream/1.0.0", "/noise"),
                [0x03] + messages("/multistream/1.0.0", "na", "na", "na"),
            ],
        ]
    }
}
