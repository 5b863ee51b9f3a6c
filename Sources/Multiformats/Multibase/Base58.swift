/// Bare base58btc without a multibase prefix: the legacy text form of peer IDs (`Qm…`, `12D3KooW…`).
public enum Base58 {
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        RadixAlphabet.base58btc.encode(bytes)
    }

    public static func decode(_ text: some StringProtocol) throws(MultibaseError) -> [UInt8] {
        try MultibaseEncoding.base58btc.decode(text)
    }
}
