package dev.switchboard.tailnet.tcp;

/**
 * Time for a {@link TcpStack}: a monotonic clock and a wake-up. The stack asks to be woken at its
 * earliest timer deadline and its owner then calls {@link TcpStack#onTimer} on the stack's event
 * loop; a later request replaces an earlier one. Tests use a virtual clock; {@link VertxTcpScheduler}
 * is the real one.
 */
public interface TcpScheduler {
    long nanoTime();

    void wakeAt(long deadlineNanos);
}
