/// The data of one TXT record: a sequence of length-prefixed character strings (RFC 1035 §3.3.14), read
/// as one text by joining them (how dnsaddr publishers split records longer than 255 bytes).
package enum TXTRecordData {
    /// The joined strings as UTF-8 (invalid sequences replaced), cut at `maxBytes`; a string whose length
    /// byte runs past the record is an error.
    package static func text(of data: some Collection<UInt8>, maxBytes: Int) -> Result<String, TXTRecordDataError> {
        var bytes: [UInt8] = []
        var index = data.startIndex
        while index != data.endIndex {
            let length = Int(data[index])
            index = data.index(after: index)
            guard data.distance(from: index, to: data.endIndex) >= length else {
                return .failure(TXTRecordDataError(description: "TXT string of \(length) bytes runs past the record (\(data.distance(from: index, to: data.endIndex)) left)"))
            }
            let end = data.index(index, offsetBy: length)
            if bytes.count < maxBytes {
                bytes.append(contentsOf: data[index..<end].prefix(maxBytes - bytes.count))
            }
            index = end
        }
        return .success(String(decoding: bytes, as: UTF8.self))
    }
}

package struct TXTRecordDataError: Error, Sendable, Hashable, CustomStringConvertible {
    package let description: String
}
