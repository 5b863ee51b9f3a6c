// With Swift 6.3 on Linux, this swift-testing test trips AddressSanitizer ("stack-buffer-overflow", a
// 9-byte read in the AnyHashable conversion `#expect` makes of an optional UInt64) although the code is
// correct. To see it: a package with a library `Probe` exporting `struct Info { var framesIn: UInt64 }`
// and `func info(_ known: Bool) -> Info?`, this file as its test, `swift build --build-tests
// -Xswiftc -sanitize=address && swift test --skip-build`. It is why `make sanitize` leaves the test
// target itself uninstrumented under ASan (Package.swift).
import Testing
import Probe
@Test func optionalUInt64AgainstALiteral() {
    #expect(info(true)?.framesIn == 1 + 4 + 1)
}
