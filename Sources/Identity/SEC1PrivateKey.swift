/// RFC 5915 / SEC1 `ECPrivateKey` for P-256, the private-key form of libp2p ECDSA keys (peer-id.md §2).
///
/// ```
/// ECPrivateKey ::= SEQUENCE {
///   version        INTEGER { ecPrivkeyVer1(1) },
///   privateKey     OCTET STRING,                  -- 32-byte big-endian scalar
///   parameters [0] ECParameters OPTIONAL,         -- namedCurve prime256v1
///   publicKey  [1] BIT STRING OPTIONAL }          -- uncompressed point 04 ‖ X ‖ Y
/// ```
/// Written exactly as go-libp2p's `x509.MarshalECPrivateKey` does (all four fields), so a key read
/// from disk re-marshals byte for byte.
struct SEC1PrivateKey: Equatable {
    /// DER of OID 1.2.840.10045.3.1.7 (prime256v1 / P-256), without tag and length.
    static let p256CurveOID: [UInt8] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]
    static let scalarLength = 32

    let scalar: [UInt8]
    /// The uncompressed point, when present in the encoding.
    let publicPoint: [UInt8]?

    init(scalar: [UInt8], publicPoint: [UInt8]?) {
        self.scalar = scalar
        self.publicPoint = publicPoint
    }

    init(der: [UInt8]) throws(DERError) {
        var outer = DER.Reader(der[...])
        var fields = DER.Reader(try outer.read(expecting: DER.Tag.sequence, "ECPrivateKey"))
        try outer.expectEnd("ECPrivateKey")

        let version = try fields.read(expecting: DER.Tag.integer, "version")
        guard version.elementsEqual([1]) else { throw DERError("version is not ecPrivkeyVer1 (1)") }

        let scalar = try fields.read(expecting: DER.Tag.octetString, "privateKey")
        guard scalar.count == Self.scalarLength else {
            throw DERError("privateKey has \(scalar.count) bytes, expected \(Self.scalarLength)")
        }

        // go-libp2p needs the curve named here; so do we.
        var parameters = DER.Reader(try fields.read(expecting: DER.Tag.contextSpecific0, "parameters"))
        let curve = try parameters.read(expecting: DER.Tag.objectIdentifier, "namedCurve")
        try parameters.expectEnd("parameters")
        guard curve.elementsEqual(Self.p256CurveOID) else { throw DERError("curve is not P-256 (prime256v1)") }

        var publicPoint: [UInt8]?
        if fields.peekTag == DER.Tag.contextSpecific1 {
            var wrapper = DER.Reader(try fields.read(expecting: DER.Tag.contextSpecific1, "publicKey"))
            let bits = try wrapper.read(expecting: DER.Tag.bitString, "publicKey BIT STRING")
            try wrapper.expectEnd("publicKey")
            guard bits.first == 0 else { throw DERError("publicKey BIT STRING has unused bits") }
            publicPoint = Array(bits.dropFirst())
        }
        try fields.expectEnd("ECPrivateKey")

        self.scalar = Array(scalar)
        self.publicPoint = publicPoint
    }

    var der: [UInt8] {
        var fields = DER.encode(tag: DER.Tag.integer, content: [1])
        fields += DER.encode(tag: DER.Tag.octetString, content: scalar)
        fields += DER.encode(
            tag: DER.Tag.contextSpecific0,
            content: DER.encode(tag: DER.Tag.objectIdentifier, content: Self.p256CurveOID)
        )
        if let publicPoint {
            fields += DER.encode(
                tag: DER.Tag.contextSpecific1,
                content: DER.encode(tag: DER.Tag.bitString, content: [0] + publicPoint)
            )
        }
        return DER.encode(tag: DER.Tag.sequence, content: fields)
    }
}
