/// The small subset of ASN.1 DER (X.690 §10) needed to read and write the key structures of
/// peer-id.md §2: single-byte tags, definite minimal lengths, nothing else.
enum DER {
    enum Tag {
        static let integer: UInt8 = 0x02
        static let bitString: UInt8 = 0x03
        static let octetString: UInt8 = 0x04
        static let null: UInt8 = 0x05
        static let objectIdentifier: UInt8 = 0x06
        static let sequence: UInt8 = 0x30
        /// `[0] EXPLICIT` (context-specific, constructed).
        static let contextSpecific0: UInt8 = 0xA0
        /// `[1] EXPLICIT` (context-specific, constructed).
        static let contextSpecific1: UInt8 = 0xA1
    }

    struct Element {
        let tag: UInt8
        let content: ArraySlice<UInt8>
    }

    /// Reads consecutive TLV elements from a byte slice, rejecting anything that is not strict DER.
    struct Reader {
        private var remaining: ArraySlice<UInt8>

        init(_ bytes: ArraySlice<UInt8>) {
            remaining = bytes
        }

        var isAtEnd: Bool { remaining.isEmpty }

        var peekTag: UInt8? { remaining.first }

        mutating func read(expecting tag: UInt8, _ what: String) throws(DERError) -> ArraySlice<UInt8> {
            guard let actual = remaining.first else { throw DERError("\(what): input ended") }
            guard actual == tag else {
                throw DERError("\(what): tag 0x\(String(actual, radix: 16)), expected 0x\(String(tag, radix: 16))")
            }
            return try read().content
        }

        mutating func read() throws(DERError) -> Element {
            var cursor = remaining
            guard let tag = cursor.popFirst() else { throw DERError("input ended before a tag") }
            guard tag & 0x1F != 0x1F else { throw DERError("multi-byte tags are not supported") }
            guard let first = cursor.popFirst() else { throw DERError("input ended before a length") }
            let length: Int
            if first < 0x80 {
                length = Int(first)
            } else {
                let lengthBytes = Int(first & 0x7F)
                guard lengthBytes >= 1 else { throw DERError("indefinite length is not DER") }
                guard lengthBytes <= 3 else { throw DERError("length field of \(lengthBytes) bytes is too long") }
                guard cursor.count >= lengthBytes else { throw DERError("input ended inside a length") }
                var value = 0
                for byte in cursor.prefix(lengthBytes) {
                    value = value << 8 | Int(byte)
                }
                cursor = cursor.dropFirst(lengthBytes)
                guard value >= 0x80, value >> (8 * (lengthBytes - 1)) != 0 else {
                    throw DERError("non-minimal length encoding")
                }
                length = value
            }
            guard cursor.count >= length else {
                throw DERError("element of \(length) bytes but only \(cursor.count) remain")
            }
            let content = cursor.prefix(length)
            remaining = cursor.dropFirst(length)
            return Element(tag: tag, content: content)
        }

        func expectEnd(_ what: String) throws(DERError) {
            guard remaining.isEmpty else { throw DERError("\(what): \(remaining.count) unexpected trailing byte(s)") }
        }
    }

    // MARK: - Writing

    static func encode(tag: UInt8, content: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [tag]
        let length = content.count
        if length < 0x80 {
            out.append(UInt8(length))
        } else {
            var lengthBytes: [UInt8] = []
            var remaining = length
            while remaining > 0 {
                lengthBytes.insert(UInt8(truncatingIfNeeded: remaining), at: 0)
                remaining >>= 8
            }
            out.append(0x80 | UInt8(lengthBytes.count))
            out.append(contentsOf: lengthBytes)
        }
        out.append(contentsOf: content)
        return out
    }

    // MARK: - INTEGER helpers

    /// The bit length of a positive DER INTEGER (e.g. an RSA modulus).
    static func positiveIntegerBitLength(_ content: ArraySlice<UInt8>) throws(DERError) -> Int {
        guard let first = content.first else { throw DERError("empty INTEGER") }
        guard first & 0x80 == 0 else { throw DERError("negative INTEGER") }
        let magnitude = content.drop(while: { $0 == 0 })
        if content.count - magnitude.count > 1 || (first == 0 && magnitude.first.map({ $0 & 0x80 == 0 }) == true) {
            throw DERError("non-minimal INTEGER encoding")
        }
        guard let top = magnitude.first else { return 0 }
        return (magnitude.count - 1) * 8 + (8 - top.leadingZeroBitCount)
    }
}

/// A DER structure that did not parse; the reason becomes part of a `KeyError.invalidKeyData`.
struct DERError: Error, Sendable, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
