import NIOCore

/// Ping, RTT and keepalive (yamux spec §5).
///
/// One ping is outstanding at a time. Pings go out every `keepAliveInterval` (they measure the RTT that
/// window auto-tuning uses, and keep go peers, which kill silent sessions, happy). The session is declared
/// dead only when *nothing* arrives for `pingTimeout` after a ping: a peer busy sending us data is alive even
/// if its ping reply is queued behind that data.
extension YamuxSession {
    /// Sends a ping unless one is already outstanding; returns the value that identifies it.
    @discardableResult
    mutating func sendPing(now: NIODeadline) -> UInt32? {
        guard !isClosed else { return nil }
        if let outstandingPing { return outstandingPing.value }
        let value = nextPingValue
        nextPingValue &+= 1
        writeFrame(YamuxFrameHeader(type: .ping, flags: .syn, streamID: .session, length: value))
        outstandingPing = OutstandingPing(value: value, sentAt: now)
        lastPingSentAt = now
        return value
    }

    /// When the driver must call `handleTimer(now:)` next; nil when no timer is needed.
    var nextTimerDeadline: NIODeadline? {
        guard !isClosed else { return nil }
        if let outstandingPing {
            return max(outstandingPing.sentAt, lastInboundAt) + configuration.pingTimeout
        }
        guard let interval = configuration.keepAliveInterval else { return nil }
        return lastPingSentAt + interval
    }

    /// Runs due timers: declares the peer dead after a silent `pingTimeout`, or sends the periodic ping.
    mutating func handleTimer(now: NIODeadline) -> [YamuxEvent] {
        guard !isClosed else { return [] }
        if let outstandingPing {
            guard now >= max(outstandingPing.sentAt, lastInboundAt) + configuration.pingTimeout else { return [] }
            close(.keepAliveTimeout)
            return [.keepAliveTimedOut]
        }
        if let interval = configuration.keepAliveInterval, now >= lastPingSentAt + interval {
            sendPing(now: now)
        }
        return []
    }

    mutating func handlePing(_ header: YamuxFrameHeader, now: NIODeadline, events: inout [YamuxEvent]) {
        if header.flags.contains(.syn) {
            // Answer at once: go's keepalive closes sessions that stay silent.
            writeFrame(YamuxFrameHeader(type: .ping, flags: .ack, streamID: .session, length: header.length))
        } else if header.flags.contains(.ack), let outstandingPing, outstandingPing.value == header.length {
            let rtt = now - outstandingPing.sentAt
            self.outstandingPing = nil
            roundTripTime = rtt
            counters.lastRTT = .nanoseconds(rtt.nanoseconds)
            events.append(.pingRTT(.nanoseconds(rtt.nanoseconds)))
        }
    }
}
