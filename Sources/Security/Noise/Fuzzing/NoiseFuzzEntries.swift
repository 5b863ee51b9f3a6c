@preconcurrency import Crypto
import Identity
import Multiformats
import NIOCore

/// Fuzz entry points for the Noise handshake, its payload and the transport framing.
///
/// Keys are fixed so every input replays the same way; the fuzzer still cannot forge what needs the keys
/// (message 3, transport frames), which is why the seeds carry valid ones for it to mutate.
package enum NoiseFuzzEntries {
    static let identitySeed = [UInt8](repeating: 0x5e, count: 32)
    static let remoteIdentitySeed = [UInt8](repeating: 0x7a, count: 32)

    static func fixedX25519(_ byte: UInt8) -> Curve25519.KeyAgreement.PrivateKey {
        // A 32-byte X25519 scalar is always valid.
        (try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: [UInt8](repeating: byte, count: 32)))
            ?? Curve25519.KeyAgreement.PrivateKey()
    }

    static func fixedIdentity(_ seed: [UInt8]) -> PrivateKey? {
        try? PrivateKey(keyType: .ed25519, rawData: seed)
    }

    static func handshake(_ role: NoiseRole, identitySeed: [UInt8], keyByte: UInt8) -> NoiseLibp2pHandshake? {
        guard let identity = fixedIdentity(identitySeed) else { return nil }
        return NoiseLibp2pHandshake(
            role: role, identity: identity, expectedRemotePeer: nil, streamMuxers: ["/yamux/1.0.0", "/mplex/6.7.0"],
            staticKey: fixedX25519(keyByte), ephemeralKey: fixedX25519(keyByte &+ 1), prologue: [])
    }

    /// Frames come out exactly as they went in: prefix ‖ body of every frame, then the unfinished rest, is the
    /// input; the decoder buffers no more than it was given and never more than one frame it cannot return.
    package static func frames(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        let name = "noise-frames"
        var decoder = NoiseFrameDecoder()
        let chunks = FuzzChunks(input)
        let payload = Array(chunks.payload)
        // Bit 0x40: leave frames in the decoder across some appends, as a reader that lags behind would.
        let lagging = (input.first ?? 0) & 0x40 != 0
        var rebuilt: [UInt8] = []
        var given = 0
        for (index, chunk) in chunks.enumerated() {
            decoder.append(ByteBuffer(bytes: chunk))
            given += chunk.count
            if lagging, index % 2 == 0 { continue }
            while let frame = decoder.nextFrame() {
                rebuilt += [UInt8(frame.readableBytes >> 8), UInt8(frame.readableBytes & 0xff)]
                rebuilt += frame.readableBytesView
            }
            try fuzzCheck(decoder.bufferedBytes == given - rebuilt.count, name, "buffered \(decoder.bufferedBytes) of \(given - rebuilt.count) unreturned bytes")
            try fuzzCheck(decoder.bufferedBytes <= NoiseProtocol.framePrefixLength + NoiseProtocol.maxMessageLength, name, "more than one partial frame buffered")
        }
        while let frame = decoder.nextFrame() {
            rebuilt += [UInt8(frame.readableBytes >> 8), UInt8(frame.readableBytes & 0xff)]
            rebuilt += frame.readableBytesView
        }
        rebuilt += decoder.takeRemainingBytes().readableBytesView
        try fuzzCheck(rebuilt == payload, name, "frames and rest do not rebuild the input")
    }

    /// Either role fed the peer's bytes: at most its own messages go out, a failure ends the handshake, and
    /// without the peer's keys it never completes.
    package static func handshake(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        let name = "noise-handshake"
        let role: NoiseRole = (input.first ?? 0) & 0x40 != 0 ? .initiator : .responder
        // The same fixed keys as `completedPair`, so the seeds' real messages get all the way through.
        let (ours, theirs, keyByte) = role == .initiator ? (remoteIdentitySeed, identitySeed, UInt8(0x33)) : (identitySeed, remoteIdentitySeed, UInt8(0x11))
        guard var machine = handshake(role, identitySeed: ours, keyByte: keyByte) else { return }
        var sends = machine.start().filter { if case .send = $0 { true } else { false } }.count
        var ended = false
        for chunk in FuzzChunks(input) {
            for action in machine.receive(ByteBuffer(bytes: chunk)) {
                try fuzzCheck(!ended, name, "an action after the handshake ended")
                switch action {
                case .send: sends += 1
                case .event: break
                case .failed: ended = true
                case .completed(let result, _, _):
                    // Only the fixed remote identity of the seeds can get this far.
                    try fuzzCheck(result.remotePeerID == fixedIdentity(theirs)?.peerID, name, "completed with a peer nobody holds keys for")
                    ended = true
                }
            }
            if ended { break }
        }
        try fuzzCheck(sends <= (role == .initiator ? 2 : 1), name, "\(sends) messages sent by the \(role)")
    }

    /// A payload that verifies names the key that signed it, and that key's peer ID.
    package static func payload(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        let name = "noise-payload"
        let staticKey = Array(fixedX25519(0x22).publicKey.rawRepresentation)
        guard let verified = try? NoiseHandshakePayload.verify(input, remoteStaticKey: staticKey, message: 2) else { return }
        try fuzzCheck(verified.peerID == verified.publicKey.peerID, name, "peer ID is not the signing key's")
        let otherKey = Array(fixedX25519(0x23).publicKey.rawRepresentation)
        try fuzzCheck((try? NoiseHandshakePayload.verify(input, remoteStaticKey: otherKey, message: 2)) == nil, name, "the signature also covers another static key")
    }

    /// Transport frames after a completed handshake: nothing but authentic frames yields plaintext, and the
    /// plaintext is the frame bodies minus their tags.
    package static func transport(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        let name = "noise-transport"
        guard var transport = completedPair()?.responder else { return }
        var out = ByteBuffer()
        let chunks = FuzzChunks(input)
        var given = 0
        do {
            for chunk in chunks {
                given += chunk.count
                try transport.decrypt(ByteBuffer(bytes: chunk), appendingTo: &out)
            }
        } catch {
            return
        }
        try fuzzCheck(out.readableBytes + transport.bufferedInboundBytes <= given, name, "more plaintext than ciphertext")
    }

    // MARK: - Seeds

    /// Runs a whole handshake between the fixed identities; nil only if a fixed key failed to build.
    static func completedPair() -> (initiator: NoiseTransport, responder: NoiseTransport, messages: [[UInt8]])? {
        guard var initiator = handshake(.initiator, identitySeed: remoteIdentitySeed, keyByte: 0x33),
            var responder = handshake(.responder, identitySeed: identitySeed, keyByte: 0x11)
        else { return nil }
        var messages: [[UInt8]] = []
        var transports: [NoiseRole: NoiseTransport] = [:]
        _ = responder.start()
        var pending = initiator.start()
        var receiver = NoiseRole.responder
        // Messages go back and forth until neither side has anything to send.
        for _ in 0..<4 {
            var replies: [NoiseHandshakeAction] = []
            for case .send(let bytes) in pending {
                messages.append(Array(bytes.readableBytesView))
                replies += receiver == .responder ? responder.receive(bytes) : initiator.receive(bytes)
            }
            for case .completed(_, let transport, _) in replies { transports[receiver] = transport }
            pending = replies
            receiver = receiver == .responder ? .initiator : .responder
        }
        guard let initiatorTransport = transports[.initiator], let responderTransport = transports[.responder] else { return nil }
        return (initiatorTransport, responderTransport, messages)
    }

    /// Seed inputs: the three handshake messages as each role receives them, a valid payload, and real
    /// transport frames.
    package static func seeds() -> [String: [[UInt8]]] {
        var seeds: [String: [[UInt8]]] = [:]
        let whole: UInt8 = 0x80
        if let pair = completedPair(), pair.messages.count == 3 {
            seeds["noise-handshake"] = [
                [whole] + pair.messages[0] + pair.messages[2],
                [0x03] + pair.messages[0],
                [whole | 0x40] + pair.messages[1],
            ]
            var sender = pair.initiator
            var frames = ByteBuffer()
            try? sender.encrypt(ByteBuffer(bytes: Array("/yamux/1.0.0\n".utf8)), appendingTo: &frames)
            try? sender.encrypt(ByteBuffer(repeating: 0xab, count: 300), appendingTo: &frames)
            seeds["noise-transport"] = [[whole] + frames.readableBytesView, [0x05] + frames.readableBytesView]
        }
        if let identity = fixedIdentity(remoteIdentitySeed),
            let payload = try? NoiseHandshakePayload.make(
                identity: identity, staticPublicKey: Array(fixedX25519(0x22).publicKey.rawRepresentation),
                streamMuxers: ["/yamux/1.0.0"])
        {
            seeds["noise-payload"] = [payload]
        }
        seeds["noise-frames"] = [[0x80, 0, 3, 1, 2, 3, 0, 0, 0, 1], [0x07, 0, 5, 1, 2, 3, 4, 5, 0xff]]
        return seeds
    }
}
