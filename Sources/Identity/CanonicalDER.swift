import Foundation

/// Parses DER key material with swift-crypto and accepts it only if swift-crypto re-encodes the
/// parsed key to exactly the same bytes.
///
/// Key bytes are hashed into peer IDs and compared byte-wise, so an alternative encoding of the same
/// key (compressed point, PKCS#8 instead of PKCS#1, bare RSAPublicKey, BER lengths) must not pass.
func decodeCanonicalDER<Key>(
    _ data: [UInt8],
    keyType: KeyType,
    form: String,
    parse: ([UInt8]) throws -> Key,
    encode: (Key) -> Data
) throws(KeyError) -> Key {
    let key: Key
    do {
        key = try parse(data)
    } catch {
        throw .invalidKeyData(keyType: keyType, reason: "not a valid \(form) (\(error))")
    }
    guard encode(key).elementsEqual(data) else {
        throw .invalidKeyData(keyType: keyType, reason: "\(form) is not in canonical DER form")
    }
    return key
}
