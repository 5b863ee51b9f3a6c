// A correct program that ThreadSanitizer on this toolchain (Swift 6.3, Linux) reports as a data race:
// an object made on one thread and handed to a task through a checked continuation, the way an event
// loop hands a read buffer to an awaiting reader. `scripts/sanitize.sh` builds and runs it first; while
// it still reports, thread-sanitizer reports of the test suite cannot tell real races from this one.
import Foundation

final class Box {
    var bytes: [UInt8]
    init(_ count: Int) { bytes = Array(repeating: 7, count: count) }
}

func handOff() async -> Int {
    let box: Box = await withCheckedContinuation { continuation in
        let thread = Thread {
            continuation.resume(returning: Box(64))
        }
        thread.start()
    }
    return box.bytes.reduce(0) { $0 + Int($1) }
}

var total = 0
for _ in 0..<200 { total += await handOff() }
print("handed over \(total / (64 * 7)) boxes")
