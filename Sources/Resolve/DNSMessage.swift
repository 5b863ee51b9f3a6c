import CResolv
import Multiformats

/// The records of a DNS answer message, parsed by libresolv (`ns_initparse`/`ns_parserr`: sections,
/// name compression); only the record data of the three types we ask for is decoded here.
enum DNSMessage {
    static let typeA: UInt16 = 1
    static let typeTXT: UInt16 = 16
    static let typeAAAA: UInt16 = 28

    /// The answers of `type` in `message`, at most `limit + 1` of them (one more than allowed, so the
    /// caller can say the limit was passed). Records of other types (a CNAME chain) are skipped.
    static func answers(
        _ message: [UInt8], type: UInt16, name: String, limit: Int, maxRecordBytes: Int
    ) -> Result<DNSAnswer, DNSQueryError> {
        // The answer section may be mostly CNAMEs; parse a few more than we keep.
        let capacity = max(1, min(limit * 2 + 8, 512))
        var records = [cresolv_record](repeating: cresolv_record(), count: capacity)
        var claimed: Int32 = 0
        var rcode: Int32 = 0
        let filled = message.withUnsafeBufferPointer { bytes in
            records.withUnsafeMutableBufferPointer { out in
                cresolv_parse_answers(bytes.baseAddress, Int32(bytes.count), out.baseAddress, Int32(capacity), &claimed, &rcode)
            }
        }
        guard filled >= 0 else { return .failure(.malformedAnswer(name, detail: "libresolv could not parse the message")) }
        var addresses: [ResolvedIPAddress] = []
        var texts: [String] = []
        var matching = 0
        for record in records.prefix(Int(filled)) where record.type == type && record.rr_class == 1 {
            matching += 1
            let start = Int(record.rdata_offset)
            let end = start + Int(record.rdata_length)
            guard start >= 0, end <= message.count else {
                return .failure(.malformedAnswer(name, detail: "record data outside the message"))
            }
            let data = message[start..<end]
            switch type {
            case typeA:
                guard let address = IPv4Address(bytes: data) else {
                    return .failure(.malformedAnswer(name, detail: "A record of \(data.count) bytes, expected 4"))
                }
                addresses.append(.v4(address))
            case typeAAAA:
                guard let address = IPv6Address(bytes: data) else {
                    return .failure(.malformedAnswer(name, detail: "AAAA record of \(data.count) bytes, expected 16"))
                }
                addresses.append(.v6(address))
            default:
                switch TXTRecordData.text(of: data, maxBytes: maxRecordBytes) {
                case .success(let text): texts.append(text)
                case .failure(let error): return .failure(.malformedAnswer(name, detail: error.description))
                }
            }
        }
        // The message claims more answers than we parsed: count those as matching, for the limit.
        let total = Int(claimed) > Int(filled) ? matching + (Int(claimed) - Int(filled)) : matching
        let typeName = type == typeTXT ? "TXT" : type == typeA ? "A" : "AAAA"
        if total > limit {
            return .failure(.tooManyRecords(name, type: typeName, count: total, limit: limit))
        }
        if type == typeTXT { return .success(.txt(texts)) }
        return .success(.addresses(addresses))
    }
}

