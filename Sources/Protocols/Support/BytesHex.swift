/// Lower-case, zero-padded hex for bytes quoted in error messages.
enum BytesHex {
    static func string(_ bytes: some Sequence<UInt8>, separator: String = "") -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined(separator: separator)
    }
}
