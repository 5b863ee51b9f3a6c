import Foundation
import Testing

/// Finds the py-libp2p interpreter and decides whether interop tests run, skip, or fail.
///
/// - `PEERSCOPE_PYTHON`: the interpreter to use; otherwise `.venv/bin/python` in the package root.
/// - `PEERSCOPE_REQUIRE_INTEROP=1` (set by `make test`): a missing interpreter fails the tests
///   instead of skipping them.
enum PythonInterop {
    static let interpreterVariable = "PEERSCOPE_PYTHON"
    static let requireVariable = "PEERSCOPE_REQUIRE_INTEROP"
    static let scriptPath = "Tests/Interop/py_peer.py"
    static let venvInterpreterPath = ".venv/bin/python"

    /// Looked up once per test run.
    static let current: Result<PythonPeer, PythonInteropUnavailable> = locate(
        environment: ProcessInfo.processInfo.environment,
        packageRoot: packageRoot()
    )

    static var isRequired: Bool {
        ProcessInfo.processInfo.environment[requireVariable] == "1"
    }

    /// Interop tests run when py is there, and also when it is required but missing, so
    /// that they fail.
    static var shouldRun: Bool {
        if isRequired { return true }
        if case .success = current { return true }
        return false
    }

    /// The peer launcher, or an error that says what is missing and how to get it.
    static func peer() throws -> PythonPeer {
        try current.get()
    }

    static var skipComment: String {
        switch current {
        case .success: "py-libp2p interop available"
        case .failure(let unavailable): "py-libp2p interop skipped: \(unavailable)"
        }
    }

    static func locate(
        environment: [String: String],
        packageRoot: URL?
    ) -> Result<PythonPeer, PythonInteropUnavailable> {
        guard let packageRoot else {
            return .failure(PythonInteropUnavailable(reason: "no Package.swift above \(#filePath)"))
        }
        let interpreter: URL
        let source: String
        if let configured = environment[interpreterVariable], !configured.isEmpty {
            interpreter = URL(fileURLWithPath: configured, relativeTo: packageRoot)
            source = "\(interpreterVariable)=\(configured)"
        } else {
            interpreter = packageRoot.appendingPathComponent(venvInterpreterPath)
            source = "\(venvInterpreterPath) (\(interpreterVariable) is not set)"
        }
        guard FileManager.default.isExecutableFile(atPath: interpreter.path) else {
            return .failure(PythonInteropUnavailable(
                reason: "no executable interpreter at \(interpreter.path), from \(source)"))
        }
        let script = packageRoot.appendingPathComponent(scriptPath)
        guard FileManager.default.fileExists(atPath: script.path) else {
            return .failure(PythonInteropUnavailable(reason: "missing \(script.path)"))
        }
        return .success(PythonPeer(interpreter: interpreter, script: script))
    }

    /// The directory holding Package.swift, found by walking up from this source file.
    static func packageRoot(from filePath: String = #filePath) -> URL? {
        var directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        while directory.path != "/" {
            let manifest = directory.appendingPathComponent("Package.swift")
            if FileManager.default.fileExists(atPath: manifest.path) { return directory }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }
}

struct PythonInteropUnavailable: Error, Equatable, CustomStringConvertible {
    let reason: String

    var description: String {
        "\(reason). Run `make test` (it creates .venv with libp2p==0.8.1) or set "
            + "\(PythonInterop.interpreterVariable) to a python that has libp2p 0.8.1"
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test when py-libp2p is available or required; skips it, saying why, otherwise.
    static var pythonInterop: Self {
        .enabled(if: PythonInterop.shouldRun, Comment(rawValue: PythonInterop.skipComment))
    }
}
