@testable import Resolve
import Testing

/// Answer messages built byte by byte, parsed through libresolv.
@Suite("DNS answer messages")
struct DNSMessageTests {
    /// A response to one question, with `answers` as (type, rdata); names are compression pointers to
    /// the question's name, as servers write them.
    static func response(name: String, type: UInt16, rcode: UInt8 = 0, answers: [(UInt16, [UInt8])], claimedAnswers: Int? = nil) -> [UInt8] {
        var bytes: [UInt8] = [0x12, 0x34, 0x81, 0x80 | rcode, 0, 1]
        let count = UInt16(claimedAnswers ?? answers.count)
        bytes += [UInt8(count >> 8), UInt8(count & 0xff), 0, 0, 0, 0]
        for label in name.split(separator: ".") {
            bytes.append(UInt8(label.utf8.count))
            bytes += Array(label.utf8)
        }
        bytes += [0, UInt8(type >> 8), UInt8(type & 0xff), 0, 1]
        for (recordType, data) in answers {
            bytes += [0xc0, 0x0c, UInt8(recordType >> 8), UInt8(recordType & 0xff), 0, 1, 0, 0, 0, 60]
            bytes += [UInt8(data.count >> 8), UInt8(data.count & 0xff)] + data
        }
        return bytes
    }

    static func txt(_ strings: String...) -> [UInt8] {
        strings.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
    }

    @Test("A and AAAA records become addresses; a CNAME in between is skipped")
    func addresses() throws {
        let message = Self.response(name: "peer.test", type: 1, answers: [
            (5, [4] + Array("real".utf8) + [0]), (1, [127, 0, 0, 1]), (1, [10, 1, 2, 3])])
        let answer = try DNSMessage.answers(message, type: DNSMessage.typeA, name: "peer.test", limit: 32, maxRecordBytes: 1024).get()
        #expect(answer == .addresses([.v4(.init(127, 0, 0, 1)), .v4(.init(10, 1, 2, 3))]))
        let six = Self.response(name: "peer.test", type: 28, answers: [(28, [UInt8](repeating: 0, count: 15) + [1])])
        let answer6 = try DNSMessage.answers(six, type: DNSMessage.typeAAAA, name: "peer.test", limit: 32, maxRecordBytes: 1024).get()
        #expect(answer6 == .addresses([.v6(.init(high: 0, low: 1))]))
    }

    @Test("TXT records are read with their strings joined")
    func txtRecords() throws {
        let message = Self.response(name: "_dnsaddr.x.test", type: 16, answers: [
            (16, Self.txt("dnsaddr=/ip4/1.2.3.4", "/tcp/1")), (16, Self.txt("other"))])
        let answer = try DNSMessage.answers(message, type: DNSMessage.typeTXT, name: "_dnsaddr.x.test", limit: 32, maxRecordBytes: 1024).get()
        #expect(answer == .txt(["dnsaddr=/ip4/1.2.3.4/tcp/1", "other"]))
    }

    @Test("malformed messages and records are named, never trusted")
    func malformed() {
        let good = Self.response(name: "peer.test", type: 1, answers: [(1, [127, 0, 0, 1])])
        for cut in [0, 5, 12, good.count - 2] {
            let result = DNSMessage.answers(Array(good.prefix(cut)), type: DNSMessage.typeA, name: "peer.test", limit: 32, maxRecordBytes: 1024)
            guard case .failure(.malformedAnswer) = result else {
                Issue.record("cut at \(cut): \(result)")
                continue
            }
        }
        let fiveByteA = Self.response(name: "peer.test", type: 1, answers: [(1, [127, 0, 0, 1, 9])])
        #expect(DNSMessage.answers(fiveByteA, type: DNSMessage.typeA, name: "peer.test", limit: 32, maxRecordBytes: 1024)
            == .failure(.malformedAnswer("peer.test", detail: "A record of 5 bytes, expected 4")))
        let overrun = Self.response(name: "t.test", type: 16, answers: [(16, [9] + Array("abc".utf8))])
        #expect(DNSMessage.answers(overrun, type: DNSMessage.typeTXT, name: "t.test", limit: 32, maxRecordBytes: 1024)
            == .failure(.malformedAnswer("t.test", detail: "TXT string of 9 bytes runs past the record (3 left)")))
    }

    @Test("more records than the limit fail the question with the count")
    func recordLimit() {
        let many = (0..<40).map { (UInt16(16), Self.txt("r\($0)")) }
        let message = Self.response(name: "bomb.test", type: 16, answers: many)
        #expect(DNSMessage.answers(message, type: DNSMessage.typeTXT, name: "bomb.test", limit: 32, maxRecordBytes: 1024)
            == .failure(.tooManyRecords("bomb.test", type: "TXT", count: 40, limit: 32)))
    }
}
