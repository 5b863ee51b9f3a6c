import NIOCore

/// Uvarint framing helpers used by every length-prefixed layer (multistream, identify, …).
extension ByteBuffer {
    /// Appends `value` as a uvarint and returns the number of bytes written.
    @discardableResult
    public mutating func writeUVarint(_ value: UInt64) -> Int {
        let count = UVarint.encodedByteCount(of: value)
        self.reserveCapacity(minimumWritableBytes: count)
        var remaining = value
        for _ in 1..<count {
            self.writeInteger(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        self.writeInteger(UInt8(truncatingIfNeeded: remaining))
        return count
    }

    /// Decodes the uvarint starting at `index` (a readable index) without moving the reader index.
    ///
    /// - Returns: `nil` when the readable bytes end before the varint does.
    public func getUVarint(at index: Int) throws(UVarintError) -> (value: UInt64, byteCount: Int)? {
        let offset = index - self.readerIndex
        guard offset >= 0, offset <= self.readableBytes else { return nil }
        let result = self.withUnsafeReadableBytes { raw in
            UVarint.scan(UnsafeRawBufferPointer(rebasing: raw[offset...]))
        }
        switch result {
        case .value(let value, let count): return (value, count)
        case .needMoreBytes: return nil
        case .failure(let error): throw error
        }
    }

    /// Decodes the uvarint at the reader index without consuming it.
    public func peekUVarint() throws(UVarintError) -> (value: UInt64, byteCount: Int)? {
        try self.getUVarint(at: self.readerIndex)
    }

    /// Reads a uvarint, moving the reader index past it.
    ///
    /// - Returns: `nil` (consuming nothing) when the varint is not complete yet.
    public mutating func readUVarint() throws(UVarintError) -> UInt64? {
        guard let (value, count) = try self.peekUVarint() else { return nil }
        self.moveReaderIndex(forwardBy: count)
        return value
    }
}
