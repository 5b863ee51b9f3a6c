import Core

// The waiter machinery is shared by the muxers (Core/Support/EventLoopWaiter.swift); yamux's names stay.
package typealias YamuxCancellationFlag = WaiterCancellationFlag
package typealias YamuxWaiter<Value: Sendable> = EventLoopWaiter<Value>
