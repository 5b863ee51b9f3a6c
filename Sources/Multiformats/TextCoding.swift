/// `Codable` as a single string, for types whose text form is their identity
/// (peer IDs, multiaddrs): JSON config and logs show `"/ip4/…"`, not a structure.
enum TextCoding {
    static func decode<Value>(
        from decoder: any Decoder,
        as what: String,
        parse: (String) throws -> Value
    ) throws -> Value {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            return try parse(text)
        } catch {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "invalid \(what) \"\(text)\": \(error)")
        }
    }

    static func encode(_ text: String, to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
