/// `/ipfs/ping/1.0.0` (protocols.md §1): raw 32-byte blocks, echoed back unchanged, no framing.
public enum PingProtocol {
    public static let id = "/ipfs/ping/1.0.0"
    /// Size of every ping payload and every echo.
    public static let payloadSize = 32
}
