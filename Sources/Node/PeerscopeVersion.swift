/// The version peerscope reports as its identify agent version (`peerscope/<version>`).
public enum PeerscopeVersion {
    public static let string = "0.1.0"
    public static var agentVersion: String { "peerscope/\(string)" }
}
