/// Self-describing base encodings: one prefix character naming the base, then the text.
public enum Multibase {
    /// `encoding.prefix` followed by `bytes` in that encoding.
    public static func encode(_ bytes: some Collection<UInt8>, as encoding: MultibaseEncoding) -> String {
        String(encoding.prefix) + encoding.encode(bytes)
    }

    /// Decodes multibase text, choosing the base from its first character.
    public static func decode(
        _ text: some StringProtocol
    ) throws(MultibaseError) -> (encoding: MultibaseEncoding, bytes: [UInt8]) {
        guard let prefix = text.first else { throw .empty }
        guard let encoding = MultibaseEncoding(prefix: prefix) else { throw .unknownPrefix(prefix) }
        let body = text.dropFirst()
        return (encoding, try encoding.decode(body, offsetBase: 1))
    }
}
