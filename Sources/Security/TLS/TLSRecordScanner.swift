/// Splits one direction of a TLS byte stream into records by their 5-byte headers, without
/// decrypting anything, so the timeline can show the handshake's flights (ClientHello, ServerHello,
/// encrypted handshake records, alerts). Sans-IO: bytes in, finished records out.
struct TLSRecordScanner: Sendable {
    struct Record: Sendable, Equatable {
        let contentType: UInt8
        /// The first byte of the fragment: the handshake message type of a plaintext handshake record,
        /// the level of an alert.
        let firstByte: UInt8?
        /// The second byte (an alert's description).
        let secondByte: UInt8?
        /// Header included.
        let bytes: Int
    }

    private var header: [UInt8] = []
    private var remaining = 0
    private var fragmentPrefix: [UInt8] = []
    private var contentType: UInt8 = 0
    private var length = 0

    mutating func scan(_ bytes: some Collection<UInt8>) -> [Record] {
        var records: [Record] = []
        var index = bytes.startIndex
        while index != bytes.endIndex {
            if remaining == 0 && header.count < 5 {
                header.append(bytes[index])
                index = bytes.index(after: index)
                if header.count == 5 {
                    contentType = header[0]
                    length = Int(header[3]) << 8 | Int(header[4])
                    remaining = length
                    fragmentPrefix = []
                    if remaining == 0 { records.append(finish()) }
                }
                continue
            }
            let take = min(remaining, bytes.distance(from: index, to: bytes.endIndex))
            let end = bytes.index(index, offsetBy: take)
            if fragmentPrefix.count < 2 { fragmentPrefix.append(contentsOf: bytes[index..<end].prefix(2 - fragmentPrefix.count)) }
            remaining -= take
            index = end
            if remaining == 0 { records.append(finish()) }
        }
        return records
    }

    private mutating func finish() -> Record {
        let record = Record(
            contentType: contentType, firstByte: fragmentPrefix.first,
            secondByte: fragmentPrefix.count > 1 ? fragmentPrefix[1] : nil, bytes: length + 5)
        header = []
        return record
    }
}

extension TLSRecordScanner.Record {
    /// What the record carries, as the timeline names it.
    var content: String {
        switch contentType {
        case 22:
            switch firstByte {
            case 1: return "ClientHello"
            case 2: return "ServerHello"
            default: return "handshake message type \(firstByte.map(String.init) ?? "?")"
            }
        case 20: return "ChangeCipherSpec (compatibility)"
        case 21:
            if firstByte == 2, let description = secondByte { return "alert \(Self.alertName(description))" }
            return "alert"
        // TLS 1.3 encrypts everything after ServerHello: certificate, signature and Finished travel as
        // application-data records.
        case 23: return "encrypted handshake"
        default: return "record type \(contentType)"
        }
    }

    private static func alertName(_ code: UInt8) -> String {
        switch code {
        case 40: return "handshake_failure"
        case 42: return "bad_certificate"
        case 46: return "certificate_unknown"
        case 70: return "protocol_version"
        case 80: return "internal_error"
        case 116: return "certificate_required"
        case 120: return "no_application_protocol"
        default: return "\(code)"
        }
    }
}
