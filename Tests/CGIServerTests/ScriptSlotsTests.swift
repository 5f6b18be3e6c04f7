import NIOCore
import NIOPosix
import Testing

@testable import CGIServer

/// The slot queue on real event loops: order, the queue limit, and the one sweep that fails
/// requests that waited too long.
@Suite struct ScriptSlotsTests {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)

    /// Whether `future` failed with `refusal`, waiting for it.
    func refused(_ future: EventLoopFuture<Void>, _ refusal: ScriptSlots.Refusal) -> Bool {
        do {
            try future.wait()
            return false
        } catch {
            return (error as? ScriptSlots.Refusal) == refusal
        }
    }

    @Test func waitersAreServedInOrderAndAFullQueueIsRefused() throws {
        let slots = ScriptSlots(limit: 1, queueLimit: 2, queueTimeout: .seconds(30))
        try slots.acquire(on: group.next()).wait()
        let first = slots.acquire(on: group.next())
        let second = slots.acquire(on: group.next())
        #expect(refused(slots.acquire(on: group.next()), .queueFull))
        #expect(slots.queued == 2)
        slots.release()
        try first.wait()
        #expect(slots.queued == 1 && slots.running == 1)
        slots.release()
        try second.wait()
        slots.release()
        #expect(slots.running == 0 && slots.queued == 0)
    }

    @Test func eachWaiterExpiresAtItsOwnDeadline() throws {
        let slots = ScriptSlots(limit: 1, queueLimit: 8, queueTimeout: .milliseconds(300))
        try slots.acquire(on: group.next()).wait()
        let start = NIODeadline.now()
        let early = slots.acquire(on: group.next())
        usleep(200_000)
        let late = slots.acquire(on: group.next())
        #expect(refused(early, .waitedTooLong))
        let earlyEnded = NIODeadline.now() - start
        #expect(slots.queued == 1, "the later waiter still waits when the first expires")
        #expect(refused(late, .waitedTooLong))
        let lateEnded = NIODeadline.now() - start
        #expect(earlyEnded >= .milliseconds(300))
        #expect(lateEnded >= .milliseconds(500))
        #expect(slots.running == 1 && slots.queued == 0)
    }

    @Test func aWaiterGrantedInTimeIsNotFailedByTheSweep() throws {
        let slots = ScriptSlots(limit: 1, queueLimit: 8, queueTimeout: .milliseconds(200))
        try slots.acquire(on: group.next()).wait()
        let waiter = slots.acquire(on: group.next())
        slots.release()
        try waiter.wait()
        usleep(400_000)
        // The sweep found nothing to fail; a new waiter gets a sweep of its own.
        let next = slots.acquire(on: group.next())
        #expect(refused(next, .waitedTooLong))
        #expect(slots.running == 1)
    }
}
