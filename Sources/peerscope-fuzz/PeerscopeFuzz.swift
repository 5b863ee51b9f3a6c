import FuzzTargets
import Foundation

/// `peerscope-fuzz`: the fuzz targets as a command.
///
/// Built normally it replays inputs (`list`, `replay TARGET FILE...`, `seeds DIR`). Built by `make fuzz`
/// with coverage instrumentation and `-DPEERSCOPE_LIBFUZZER`, it hands control to libFuzzer for the
/// target named by `PEERSCOPE_FUZZ_TARGET`; libFuzzer's own options follow on the command line.
@main
enum PeerscopeFuzz {
    static func main() {
        #if PEERSCOPE_LIBFUZZER
        runLibFuzzer()
        #else
        exit(runCommand(Array(CommandLine.arguments.dropFirst())))
        #endif
    }

    static func runCommand(_ arguments: [String]) -> Int32 {
        switch arguments.first {
        case "list":
            for target in FuzzTargetRegistry.all { print("\(target.name)\t\(target.summary)") }
            return 0
        case "replay" where arguments.count >= 3:
            guard let target = FuzzTargetRegistry.target(named: arguments[1]) else { return unknownTarget(arguments[1]) }
            return replay(target, files: Array(arguments.dropFirst(2)))
        case "seeds" where arguments.count == 2:
            return writeSeeds(to: URL(fileURLWithPath: arguments[1]))
        default:
            FileHandle.standardError.write(Data("""
                usage: peerscope-fuzz list
                       peerscope-fuzz replay TARGET FILE_OR_DIR...
                       peerscope-fuzz seeds DIR      (writes DIR/TARGET/seed-N from our own encoders)

                """.utf8))
            return 2
        }
    }

    static func unknownTarget(_ name: String) -> Int32 {
        FileHandle.standardError.write(Data("peerscope-fuzz: no target '\(name)' (see 'peerscope-fuzz list')\n".utf8))
        return 2
    }

    static func replay(_ target: FuzzTarget, files: [String]) -> Int32 {
        var inputs: [(String, [UInt8])] = []
        for path in files {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                FileHandle.standardError.write(Data("peerscope-fuzz: \(path): no such file\n".utf8))
                return 2
            }
            let paths = isDirectory.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 }
                : [path]
            for file in paths {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                inputs.append((file, Array(data)))
            }
        }
        var failures = 0
        for (file, bytes) in inputs {
            if let violation = target.run(bytes) {
                failures += 1
                print("FAIL \(file): \(violation)")
            }
        }
        print("\(target.name): \(inputs.count) inputs, \(failures) property violations")
        return failures == 0 ? 0 : 1
    }

    static func writeSeeds(to directory: URL) -> Int32 {
        for (name, inputs) in FuzzTargetRegistry.seeds().sorted(by: { $0.key < $1.key }) {
            let folder = directory.appendingPathComponent(name)
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for (index, input) in inputs.enumerated() {
                    try Data(input).write(to: folder.appendingPathComponent("seed-\(index)"))
                }
            } catch {
                FileHandle.standardError.write(Data("peerscope-fuzz: writing seeds for \(name): \(error)\n".utf8))
                return 1
            }
            print("\(name): \(inputs.count) seeds")
        }
        return 0
    }
}

#if PEERSCOPE_LIBFUZZER
/// libFuzzer's entry point for a caller-owned `main` (compiler-rt `libclang_rt.fuzzer_no_main`).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The target chosen at start-up; read by the C callback, which cannot capture.
nonisolated(unsafe) var selectedTarget: FuzzTarget?

extension PeerscopeFuzz {
    static func runLibFuzzer() {
        let name = ProcessInfo.processInfo.environment["PEERSCOPE_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTargetRegistry.target(named: name) else {
            exit(unknownTarget(name))
        }
        selectedTarget = target
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
            if let violation = selectedTarget?.run(input) {
                // A crash is what libFuzzer saves as a reproducer.
                fatalError("property violated: \(violation)")
            }
            return 0
        }
        exit(status)
    }
}
#endif
