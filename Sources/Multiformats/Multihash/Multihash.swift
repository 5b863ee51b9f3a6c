import Crypto

/// A self-describing digest: `<uvarint code><uvarint digest length><digest>` (encodings.md §3).
///
/// Any hash code is accepted structurally (certhash values use several); digest lengths are
/// checked for the codes whose length is fixed. Peer IDs restrict codes further (see `PeerID`).
public struct Multihash: Hashable, Sendable {
    /// The digest is the input itself (used for inline-key peer IDs).
    public static let identityCode: UInt64 = 0x00
    /// SHA-256; the digest must be 32 bytes.
    public static let sha2_256Code: UInt64 = 0x12
    public static let sha2_256DigestLength = 32

    public let code: UInt64
    public let digest: [UInt8]

    /// - Throws: ``MultihashError/wrongDigestLength(code:expected:actual:)`` for a sha2-256 digest
    ///   that is not 32 bytes.
    public init(code: UInt64, digest: [UInt8]) throws(MultihashError) {
        precondition(code <= UVarint.maxValue, "multihash codes are uvarints (63 bits)")
        if code == Self.sha2_256Code, digest.count != Self.sha2_256DigestLength {
            throw .wrongDigestLength(code: code, expected: Self.sha2_256DigestLength, actual: digest.count)
        }
        self.code = code
        self.digest = digest
    }

    /// Identity multihash: `bytes` unhashed.
    public static func identity(_ bytes: [UInt8]) -> Multihash {
        Multihash(unchecked: identityCode, digest: bytes)
    }

    /// sha2-256 multihash of `data`.
    public static func sha2_256(of data: some Collection<UInt8>) -> Multihash {
        Multihash(unchecked: sha2_256Code, digest: Array(SHA256.hash(data: Array(data))))
    }

    private init(unchecked code: UInt64, digest: [UInt8]) {
        self.code = code
        self.digest = digest
    }

    /// Parses a complete multihash; trailing bytes are an error.
    public init(bytes: some Collection<UInt8>) throws(MultihashError) {
        let input = Array(bytes)
        guard !input.isEmpty else { throw .empty }
        let (code, codeLength) = try Self.readHeaderField(input[...], field: .code)
        let (declared, lengthLength) = try Self.readHeaderField(input[codeLength...], field: .digestLength)
        let digestStart = codeLength + lengthLength
        let available = input.count - digestStart
        guard declared <= UInt64(available) else { throw .digestTruncated(declared: declared, available: available) }
        let digestEnd = digestStart + Int(declared)
        guard digestEnd == input.count else { throw .trailingBytes(count: input.count - digestEnd) }
        try self.init(code: code, digest: Array(input[digestStart..<digestEnd]))
    }

    private static func readHeaderField(
        _ bytes: ArraySlice<UInt8>,
        field: MultihashError.HeaderField
    ) throws(MultihashError) -> (UInt64, Int) {
        switch UVarint.scan(bytes) {
        case .value(let value, let count): return (value, count)
        case .needMoreBytes: throw .truncatedHeader(field)
        case .failure(let error): throw .invalidVarint(field, error)
        }
    }

    /// The binary multihash.
    public var bytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digest.count + 4)
        UVarint.encode(code, into: &bytes)
        UVarint.encode(UInt64(digest.count), into: &bytes)
        bytes.append(contentsOf: digest)
        return bytes
    }
}
