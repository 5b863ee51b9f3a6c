/// Binary form → components: `<uvarint code><value>…`, where the value is fixed-size, or a
/// uvarint length followed by that many bytes. Every length is checked against what is left.
enum MultiaddrBinaryParser {
    static func parse(_ bytes: [UInt8]) throws(MultiaddrError) -> [MultiaddrComponent] {
        guard !bytes.isEmpty else { throw .empty }
        var components: [MultiaddrComponent] = []
        var offset = 0
        while offset < bytes.count {
            if let last = components.last, case .path = last.protocol.valueShape {
                throw .componentAfterPath(pathProtocol: last.protocol.name, offset: offset)
            }
            let componentStart = offset
            let code = try readVarint(bytes, at: &offset, protocol: nil)
            guard let proto = MultiaddrProtocol(code: code) else {
                throw .unknownCode(code: code, offset: componentStart)
            }
            let needed: UInt64
            switch proto.valueShape {
            case .none:
                components.append(MultiaddrTextParser.valueless(proto))
                continue
            case .fixed(let size):
                needed = UInt64(size)
            case .lengthPrefixed, .path:
                needed = try readVarint(bytes, at: &offset, protocol: proto.name)
            }
            let available = bytes.count - offset
            guard needed <= UInt64(available) else {
                throw .truncated(protocol: proto.name, offset: offset, needed: needed, available: available)
            }
            let value = bytes[offset..<(offset + Int(needed))]
            do {
                components.append(try MultiaddrComponent.parse(proto, bytes: value))
            } catch {
                throw .invalidValue(protocol: proto.name, value: hex(value), offset: offset, reason: error.reason)
            }
            offset += Int(needed)
        }
        return components
    }

    private static func readVarint(
        _ bytes: [UInt8],
        at offset: inout Int,
        protocol proto: String?
    ) throws(MultiaddrError) -> UInt64 {
        switch UVarint.scan(bytes[offset...]) {
        case .value(let value, let count):
            offset += count
            return value
        case .needMoreBytes:
            throw .truncatedVarint(protocol: proto, offset: offset)
        case .failure(let error):
            throw .invalidVarint(protocol: proto, offset: offset, error)
        }
    }

    private static func hex(_ bytes: ArraySlice<UInt8>) -> String {
        MultibaseEncoding.base16.encode(bytes)
    }
}
