import Testing
import Probe
@Test func optionalUInt64AgainstALiteral() {
    #expect(info(true)?.framesIn == 1 + 4 + 1)
}
