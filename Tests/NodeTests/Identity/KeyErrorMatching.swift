@testable import Node

extension KeyError {
    /// The key type of an `invalidKeyData` error, nil for every other case; lets tests match the
    /// case without depending on the wording of `reason`.
    var invalidKeyDataType: KeyType? {
        if case .invalidKeyData(let keyType, _) = self { keyType } else { nil }
    }
}
