import Foundation
import FuzzTargets
import XCTest

/// Every fuzz target over its committed corpus (`Tests/Fuzz/corpus/TARGET/`, grown by `make fuzz`), the
/// seeds our encoders make, and a fixed number of deterministic mutations of both: a property that stops
/// holding, or a crash, fails `make test` with the input that shows it.
final class FuzzCorpusTests: XCTestCase {
    /// New inputs per target in every test run; the full search is `make fuzz`.
    static let mutationsPerTarget = 1500

    static let corpusRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus")

    func testEveryTargetHasACorpusAndSeeds() {
        let seeds = FuzzTargetRegistry.seeds()
        for target in FuzzTargetRegistry.all {
            XCTAssertFalse(seeds[target.name, default: []].isEmpty, "\(target.name) has no seed inputs")
            XCTAssertFalse(Self.corpus(for: target.name).isEmpty, "\(target.name) has no committed corpus in \(Self.corpusRoot.path)")
        }
        XCTAssertEqual(Set(seeds.keys).subtracting(FuzzTargetRegistry.all.map(\.name)), [], "seeds for targets that do not exist")
    }

    func testCorpusSeedsAndMutationsKeepEveryProperty() {
        let seeds = FuzzTargetRegistry.seeds()
        var total = 0
        for target in FuzzTargetRegistry.all {
            let inputs = Self.corpus(for: target.name) + seeds[target.name, default: []]
            var mutator = FuzzInputMutator(seed: target.name)
            var ran = 0
            func check(_ input: [UInt8], _ origin: String) {
                ran += 1
                if let violation = target.run(input) {
                    XCTFail("\(violation) — \(origin) input (hex) \(input.map { String(format: "%02x", $0) }.joined())")
                }
            }
            for input in inputs { check(input, "corpus") }
            guard !inputs.isEmpty else { continue }
            for _ in 0..<Self.mutationsPerTarget {
                let base = inputs[mutator.below(inputs.count)]
                let other = inputs[mutator.below(inputs.count)]
                check(mutator.mutate(base, other: other), "mutated")
            }
            total += ran
        }
        print("fuzz corpus replay: \(FuzzTargetRegistry.all.count) targets, \(total) inputs")
    }

    /// The mutator must actually change inputs, or the replay above would only ever re-run the corpus.
    func testMutatorIsDeterministicAndChangesInputs() {
        var first = FuzzInputMutator(seed: "x")
        var second = FuzzInputMutator(seed: "x")
        let input: [UInt8] = Array(0..<64)
        var changed = 0
        for _ in 0..<100 {
            let a = first.mutate(input, other: [9, 9, 9])
            XCTAssertEqual(a, second.mutate(input, other: [9, 9, 9]))
            if a != input { changed += 1 }
        }
        XCTAssertGreaterThan(changed, 90)
    }

    static func corpus(for name: String) -> [[UInt8]] {
        let folder = corpusRoot.appendingPathComponent(name)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return files.sorted().compactMap { FileManager.default.contents(atPath: folder.appendingPathComponent($0).path) }.map { Array($0) }
    }
}
