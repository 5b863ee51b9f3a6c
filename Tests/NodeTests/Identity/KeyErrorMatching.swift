@testable import Core
@testable import Events
@testable import Identity
@testable import Multiformats
@testable import Multistream
@testable import Node
@testable import Noise
@testable import Protocols
@testable import TCP
@testable import Upgrade
@testable import Yamux

extension KeyError {
    /// The key type of an `invalidKeyData` error, nil for every other case; lets tests match the
    /// case without depending on the wording of `reason`.
    var invalidKeyDataType: KeyType? {
        if case .invalidKeyData(let keyType, _) = self { keyType } else { nil }
    }
}
