import NIOCore

/// Keeps the last buffer handed to the next layer so its memory can be written again next time. Once the
/// taker has let go (a socket write completed, a frame was decrypted), `clear` reuses the storage; while it
/// still holds it, `clear` allocates fresh storage without copying. Reuse matters for bulk transfers: a fresh
/// large allocation page-faults on every first touch, and the allocator returns such memory to the kernel.
struct NoiseBufferRecycler: Sendable {
    /// Only buffers of bulk transfers are kept: small ones come cheaply from the allocator, and keeping them
    /// would add to every idle connection. Buffers larger than the maximum are not kept either.
    static let keptCapacities = (32 * 1024)...(1024 * 1024)

    private var kept: ByteBuffer?

    /// An empty buffer with room for `capacity` bytes, reusing the kept one when possible.
    mutating func buffer(capacity: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        guard var buffer = kept else { return allocator.buffer(capacity: capacity) }
        kept = nil
        buffer.clear(minimumCapacity: capacity)
        return buffer
    }

    /// Remembers `buffer` (shared with whoever it was handed to) for the next `buffer(capacity:allocator:)`.
    mutating func keep(_ buffer: ByteBuffer) {
        kept = Self.keptCapacities.contains(buffer.capacity) ? buffer : nil
    }
}
