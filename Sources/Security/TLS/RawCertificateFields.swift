import SwiftASN1

/// The parts of a certificate libp2p verification reads byte-exact, taken straight from its DER:
/// the SubjectPublicKeyInfo as sent (the extension signs these bytes, not a re-encoding) and every
/// extension, duplicates included (an X.509 parser may refuse those before we can name them).
struct RawCertificateFields: Sendable {
    struct RawExtension: Sendable {
        let oid: ASN1ObjectIdentifier
        let critical: Bool
        let value: ArraySlice<UInt8>
    }

    let subjectPublicKeyInfo: [UInt8]
    let extensions: [RawExtension]
    let hasUniqueIdentifiers: Bool

    /// A certificate is a few hundred bytes; a peer sending megabytes is not sending a libp2p one.
    static let maximumCertificateLength = 64 * 1024

    init(der: [UInt8]) throws(TLSError) {
        guard der.count <= Self.maximumCertificateLength else {
            throw .malformedCertificate(reason: "\(der.count) bytes, more than the \(Self.maximumCertificateLength) allowed")
        }
        do {
            let root = try DER.parse(der)
            guard case .constructed(let certificate) = root.content, let tbs = certificate.first(where: { _ in true }),
                  case .constructed(let tbsFields) = tbs.content
            else { throw TLSError.malformedCertificate(reason: "not a SEQUENCE of TBSCertificate, algorithm, signature") }
            var fields = Array(tbsFields)
            // [0] EXPLICIT version is optional (v1 certificates omit it).
            if let first = fields.first, first.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
                fields.removeFirst()
            }
            // serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, then the optionals.
            guard fields.count >= 6 else {
                throw TLSError.malformedCertificate(reason: "TBSCertificate has \(fields.count) fields, expected at least 6")
            }
            subjectPublicKeyInfo = Array(fields[5].encodedBytes)
            var extensions: [RawExtension] = []
            var uniqueIdentifiers = false
            for field in fields.dropFirst(6) where field.identifier.tagClass == .contextSpecific {
                switch field.identifier.tagNumber {
                case 1, 2: uniqueIdentifiers = true
                case 3: extensions = try Self.extensions(in: field)
                default: break
                }
            }
            self.extensions = extensions
            hasUniqueIdentifiers = uniqueIdentifiers
        } catch let error as TLSError {
            throw error
        } catch {
            throw .malformedCertificate(reason: "\(error)")
        }
    }

    /// `[3] EXPLICIT SEQUENCE OF Extension`, `Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }`.
    private static func extensions(in wrapper: ASN1Node) throws -> [RawExtension] {
        guard case .constructed(let inner) = wrapper.content, let list = inner.first(where: { _ in true }),
              case .constructed(let entries) = list.content
        else { throw TLSError.malformedCertificate(reason: "extensions are not [3] { SEQUENCE OF Extension }") }
        return try entries.map { entry in
            try DER.sequence(entry, identifier: .sequence) { nodes in
                let oid = try ASN1ObjectIdentifier(derEncoded: &nodes)
                let critical = try DER.decodeDefault(&nodes, defaultValue: false)
                let value = try ASN1OctetString(derEncoded: &nodes)
                return RawExtension(oid: oid, critical: critical, value: value.bytes)
            }
        }
    }
}
