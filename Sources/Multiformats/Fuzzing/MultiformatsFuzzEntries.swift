import NIOCore

/// Fuzz entry points for the multiformats parsers; each checks a property beyond "no crash".
package enum MultiformatsFuzzEntries {
    /// Decoding, then encoding, gives back exactly the bytes consumed (the encoding is minimal), and the
    /// `ByteBuffer` reader agrees with the collection decoder.
    package static func uvarint(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        let name = "uvarint"
        let buffer = ByteBuffer(bytes: input)
        let peeked = Result { () throws(UVarintError) in try buffer.peekUVarint() }
        switch try? UVarint.decode(input) {
        case .value(let value, let count)?:
            try fuzzCheck(UVarint.encode(value) == Array(input.prefix(count)), name, "re-encoding \(value) differs from its \(count) input bytes")
            try fuzzCheck(UVarint.encodedByteCount(of: value) == count, name, "encodedByteCount disagrees")
            var agrees = false
            if case .success(let found?) = peeked { agrees = found.value == value && found.byteCount == count }
            try fuzzCheck(agrees, name, "ByteBuffer reader disagrees")
        case .needMoreBytes?:
            try fuzzCheck(input.count < UVarint.maxByteCount, name, "needMoreBytes after \(input.count) bytes")
            var waits = false
            if case .success(nil) = peeked { waits = true }
            try fuzzCheck(waits, name, "ByteBuffer reader does not wait for more bytes on an unfinished prefix")
        case nil:
            var refuses = false
            if case .failure = peeked { refuses = true }
            try fuzzCheck(refuses, name, "ByteBuffer reader did not refuse what the decoder refused")
        }
    }

    /// A multiaddr parsed from bytes re-encodes to those bytes, and its text parses back to it.
    package static func multiaddrBinary(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        let name = "multiaddr-binary"
        guard let address = try? Multiaddr(bytes: input) else { return }
        try fuzzCheck(address.bytes == input, name, "bytes do not round-trip")
        try checkTextRoundTrip(address, name)
    }

    /// A multiaddr parsed from text prints as text that parses back to the same address.
    package static func multiaddrText(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        let name = "multiaddr-text"
        guard let text = String(validating: input, as: UTF8.self), let address = try? Multiaddr(text) else { return }
        try checkTextRoundTrip(address, name)
        let fromBytes = try? Multiaddr(bytes: address.bytes)
        try fuzzCheck(fromBytes == address, name, "binary form of \(address) does not parse back")
    }

    private static func checkTextRoundTrip(_ address: Multiaddr, _ name: String) throws(FuzzPropertyViolation) {
        let reparsed = try? Multiaddr(address.description)
        try fuzzCheck(reparsed == address, name, "text \(address.description) does not parse back to the same address")
    }

    /// Peer IDs: binary → base58 → binary and binary → CID text → binary are identities.
    package static func peerID(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        let name = "peer-id"
        if let id = try? PeerID(multihash: input) {
            try fuzzCheck(id.bytes == input, name, "bytes not kept")
            try fuzzCheck((try? PeerID(id.base58)) == id, name, "base58 \(id.base58) does not parse back")
            try fuzzCheck((try? PeerID(id.cidString)) == id, name, "CID \(id.cidString) does not parse back")
        }
        if let text = String(validating: input, as: UTF8.self), let id = try? PeerID(text) {
            try fuzzCheck((try? PeerID(multihash: id.bytes)) == id, name, "parsed text \(text) has invalid bytes")
        }
    }

    /// Multibase text decodes to bytes that encode back to text decoding to the same bytes.
    package static func multibase(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        let name = "multibase"
        guard let text = String(validating: input, as: UTF8.self),
            let (encoding, bytes) = try? Multibase.decode(text)
        else { return }
        let again = try? Multibase.decode(Multibase.encode(bytes, as: encoding))
        try fuzzCheck(again?.bytes == bytes, name, "re-encoding in \(encoding) does not decode to the same bytes")
    }
}
