package dev.switchboard.tailnet.tcp;

import io.vertx.core.Vertx;

import java.util.function.Consumer;

/**
 * A {@link TcpScheduler} on a Vert.x event loop: {@link System#nanoTime} and one Vert.x timer,
 * replaced when the stack asks for another deadline. Create and use it on the stack's context, so
 * the timer fires there and calls the stack on its own loop.
 */
public final class VertxTcpScheduler implements TcpScheduler {
    private final Vertx vertx;
    private final Consumer<Long> onWake;
    // owned by the stack's event loop
    private long timerId = -1;
    private long deadline = Long.MAX_VALUE;

    /** {@code onWake} is typically {@code ignored -> stack.onTimer()}. */
    public VertxTcpScheduler(Vertx vertx, Consumer<Long> onWake) {
        this.vertx = vertx;
        this.onWake = onWake;
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void wakeAt(long deadlineNanos) {
        if (deadlineNanos == deadline && timerId >= 0) {
            return;
        }
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
        deadline = deadlineNanos;
        long delayMs = Math.max(1, (deadlineNanos - System.nanoTime() + 999_999) / 1_000_000);
        timerId = vertx.setTimer(delayMs, id -> {
            timerId = -1;
            deadline = Long.MAX_VALUE;
            onWake.accept(id);
        });
    }
}
