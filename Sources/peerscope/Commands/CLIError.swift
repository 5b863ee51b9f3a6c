/// A user-facing failure: ArgumentParser prints it as one `Error: …` line and exits with code 1,
/// without usage text or a stack trace.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
