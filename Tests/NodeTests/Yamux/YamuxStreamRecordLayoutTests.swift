import Testing

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

/// One `YamuxStreamRecord` per live stream sits in the session's dictionary: its layout is memory per stream.
@Suite struct YamuxStreamRecordLayoutTests {
    @Test func theReceiveWindowPacksItsCountersBehindTheDeadline() {
        #expect(MemoryLayout<YamuxReceiveWindow>.size == 20)
    }

    @Test func theRecordHasNoPadding() {
        // 5 × 8 (deadline, counters) + 20 (receive window) + 2 × 4 (ID, send window) + 4 × 1 (flags).
        #expect(MemoryLayout<YamuxStreamRecord>.size == 72)
        #expect(MemoryLayout<YamuxStreamRecord>.stride == 72)
    }
}
