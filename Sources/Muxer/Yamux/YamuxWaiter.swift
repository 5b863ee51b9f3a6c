import Core

// The waiter machinery is shared by the muxers (Core/Support/EventLoopWaiter.swift); yamux's names stay.
typealias YamuxCancellationFlag = WaiterCancellationFlag
typealias YamuxWaiter<Value: Sendable> = EventLoopWaiter<Value>
