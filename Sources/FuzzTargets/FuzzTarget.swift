import Multiformats

/// One fuzz target: a parser or state machine that takes network bytes, and the properties it checks.
package struct FuzzTarget: Sendable {
    package let name: String
    /// What is fed and what must hold, for `peerscope-fuzz list` and the README.
    package let summary: String
    let entry: @Sendable ([UInt8]) throws(FuzzPropertyViolation) -> Void

    init(_ name: String, _ summary: String, _ entry: @escaping @Sendable ([UInt8]) throws(FuzzPropertyViolation) -> Void) {
        self.name = name
        self.summary = summary
        self.entry = entry
    }

    /// Runs one input; returns the violated property, or nil when every property held.
    package func run(_ input: [UInt8]) -> FuzzPropertyViolation? {
        do throws(FuzzPropertyViolation) {
            try entry(input)
            return nil
        } catch {
            return error
        }
    }
}
