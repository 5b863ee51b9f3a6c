import Core
import Identity
import Multiformats

/// Fuzz entry points for what DNS servers send us: answer messages and the records a resolution follows.
package enum ResolveFuzzEntries {
    /// First byte picks the record type asked (A, AAAA or TXT); the rest is the answer message, parsed by
    /// libresolv. A parsed answer holds no more records than the limit, only the asked type, and no TXT
    /// text longer than the record cap.
    package static func answer(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        let name = "dns-answer"
        guard let selector = input.first else { return }
        let type = [DNSMessage.typeA, DNSMessage.typeAAAA, DNSMessage.typeTXT][Int(selector) % 3]
        let limit = 8
        let maxRecordBytes = 64
        switch DNSMessage.answers(Array(input.dropFirst()), type: type, name: "fuzz.test", limit: limit, maxRecordBytes: maxRecordBytes) {
        case .failure:
            return
        case .success(.addresses(let addresses)):
            try fuzzCheck(type != DNSMessage.typeTXT, name, "addresses for a TXT question")
            try fuzzCheck(addresses.count <= limit, name, "\(addresses.count) addresses passed the limit \(limit)")
            for address in addresses {
                switch address {
                case .v4: try fuzzCheck(type == DNSMessage.typeA, name, "an IPv4 address for an AAAA question")
                case .v6: try fuzzCheck(type == DNSMessage.typeAAAA, name, "an IPv6 address for an A question")
                }
            }
        case .success(.txt(let records)):
            try fuzzCheck(type == DNSMessage.typeTXT, name, "TXT records for an address question")
            try fuzzCheck(records.count <= limit, name, "\(records.count) TXT records passed the limit \(limit)")
            for record in records {
                // Invalid UTF-8 becomes U+FFFD (3 bytes) per byte at most.
                try fuzzCheck(record.utf8.count <= maxRecordBytes * 3, name, "a TXT record of \(record.utf8.count) bytes")
            }
        }
    }

    static let wantedPeer: PeerID? = {
        guard let key = try? PrivateKey(keyType: .ed25519, rawData: [UInt8](repeating: 0x42, count: 32)) else { return nil }
        return key.peerID
    }()

    /// A whole resolution of `/dnsaddr/fuzz.test/p2p/<peer>` whose every answer comes from the input:
    /// per question one byte (0: NXDOMAIN, 1: timeout, else an answer), then a length byte and that many
    /// bytes (TXT: records split at newlines; addresses: 4 bytes each). Whatever the zone, the resolution
    /// ends within the question limit, yields only dialable addresses of the wanted peer, and no more of
    /// them than the address limit.
    package static func resolution(_ input: [UInt8]) throws(FuzzPropertyViolation) {
        let name = "dnsaddr-resolution"
        guard let peer = wantedPeer, let start = try? Multiaddr("/dnsaddr/fuzz.test/p2p/\(peer)") else { return }
        var limits = NameResolutionLimits()
        limits.maxQuestions = 8
        limits.maxAddresses = 6
        limits.maxDepth = 3
        limits.maxRecordsPerAnswer = 6
        var resolution = MultiaddrResolution(start, limits: limits)
        var cursor = input[...]
        var asked = 0
        var steps = 0
        loop: while true {
            steps += 1
            try fuzzCheck(steps <= 10_000, name, "the resolution did not end")
            switch resolution.next() {
            case .finished:
                break loop
            case .skipped(let hop):
                try fuzzCheck(hop.failure != nil && hop.produced.isEmpty, name, "a skipped hop produced addresses")
            case .ask(let question):
                asked += 1
                try fuzzCheck(asked <= limits.maxQuestions, name, "question \(asked) over the limit \(limits.maxQuestions)")
                let answer = scriptedAnswer(for: question, from: &cursor)
                let hop = resolution.receive(answer, server: "fuzz", duration: .zero)
                try fuzzCheck(hop.depth <= limits.maxDepth, name, "a hop at depth \(hop.depth)")
                try fuzzCheck(hop.failure == nil || hop.produced.isEmpty, name, "a failed hop produced addresses")
            }
        }
        try fuzzCheck(resolution.resolved.count <= limits.maxAddresses, name, "\(resolution.resolved.count) addresses resolved")
        for address in resolution.resolved {
            try fuzzCheck(!MultiaddrResolution.needsResolution(address), name, "\(address) still needs a name resolved")
            try fuzzCheck(address.peerID == peer, name, "\(address) is not for the wanted peer")
        }
    }

    private static func scriptedAnswer(for question: DNSQuestion, from cursor: inout ArraySlice<UInt8>) -> Result<DNSAnswer, DNSQueryError> {
        guard let kind = cursor.popFirst(), kind > 1 else {
            return .failure(cursor.isEmpty ? .nameNotFound(question.name) : .timedOut(question.name, after: .seconds(1)))
        }
        let length = Int(cursor.popFirst() ?? 0)
        let body = Array(cursor.prefix(length))
        cursor = cursor.dropFirst(length)
        switch question {
        case .txt:
            let records = body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
            return .success(.txt(records))
        case .addresses:
            var addresses: [ResolvedIPAddress] = []
            var index = 0
            while index + 4 <= body.count {
                if let address = IPv4Address(bytes: body[index..<index + 4]) { addresses.append(.v4(address)) }
                index += 4
            }
            return .success(.addresses(addresses))
        }
    }

    package static func seeds() -> [String: [[UInt8]]] {
        var answers: [[UInt8]] = []
        func response(_ type: UInt16, _ records: [(UInt16, [UInt8])]) -> [UInt8] {
            var bytes: [UInt8] = [0x12, 0x34, 0x81, 0x80, 0, 1, 0, UInt8(records.count), 0, 0, 0, 0]
            bytes += [4] + Array("fuzz".utf8) + [4] + Array("test".utf8) + [0, UInt8(type >> 8), UInt8(type & 0xff), 0, 1]
            for (recordType, data) in records {
                bytes += [0xc0, 0x0c, UInt8(recordType >> 8), UInt8(recordType & 0xff), 0, 1, 0, 0, 0, 60]
                bytes += [UInt8(data.count >> 8), UInt8(data.count & 0xff)] + data
            }
            return bytes
        }
        answers.append([0] + response(1, [(1, [127, 0, 0, 1]), (5, [1, 0x61, 0])]))
        answers.append([1] + response(28, [(28, [UInt8](repeating: 0, count: 15) + [1])]))
        let text = Array("dnsaddr=/ip4/127.0.0.1/tcp/4001".utf8)
        answers.append([2] + response(16, [(16, [UInt8(text.count)] + text), (16, [3, 0x61, 0x62, 0x63])]))
        var resolutions: [[UInt8]] = []
        if let peer = wantedPeer {
            let records = "dnsaddr=/dns4/host.test/tcp/1/p2p/\(peer)\ndnsaddr=/dnsaddr/inner.test\ndnsaddr=/ip4/10.0.0.1/tcp/2/p2p/\(peer)"
            let bytes = Array(records.utf8.prefix(255))
            resolutions.append([2, UInt8(bytes.count)] + bytes + [2, 4, 10, 0, 0, 9] + [0])
        }
        return ["dns-answer": answers, "dnsaddr-resolution": resolutions]
    }
}
