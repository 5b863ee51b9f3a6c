import CSecp256k1

/// The one libsecp256k1 context shared by every secp256k1 operation in the process.
///
/// `@unchecked Sendable` is sound because the context is created and randomized once, inside
/// `init`, before it is published through `shared`; afterwards it is only passed as a `const`
/// context to functions that libsecp256k1 documents as safe to call concurrently (parse, serialize,
/// sign, verify, normalize, pubkey_create). Nothing mutates it (no further `context_randomize`,
/// no callbacks are changed), and it is never destroyed.
final class Secp256k1Context: @unchecked Sendable {
    static let shared = Secp256k1Context()

    let pointer: OpaquePointer

    private init() {
        // SECP256K1_CONTEXT_NONE (1): since libsecp256k1 0.2 one context serves signing and verifying.
        guard let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            preconditionFailure("secp256k1_context_create returned NULL (out of memory)")
        }
        // Randomization blinds secret-key multiplications against side channels; done once here.
        var generator = SystemRandomNumberGenerator()
        let seed = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let randomized = seed.withUnsafeBufferPointer { secp256k1_context_randomize(context, $0.baseAddress) }
        precondition(randomized == 1, "secp256k1_context_randomize failed")
        pointer = context
    }
}
