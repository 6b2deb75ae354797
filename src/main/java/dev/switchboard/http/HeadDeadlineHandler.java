package dev.switchboard.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * First in every accepted connection's pipeline: closes it unless a complete request head arrives in time (Go's
 * {@code http.Server.ReadHeaderTimeout}, which derper sets). Trickling header bytes resets an idle timeout, not
 * this deadline, so a slowloris client cannot hold the connection. The timer runs on the connection's event loop;
 * {@link #headSeen} and {@link #rearm} are called there too.
 */
final class HeadDeadlineHandler extends ChannelInboundHandlerAdapter {
    private final long timeoutNanos;
    private final LongAdder closed;

    // owned by the connection's event loop
    private ChannelHandlerContext context;
    private ScheduledFuture<?> deadline;

    HeadDeadlineHandler(long timeoutNanos, LongAdder closed) {
        this.timeoutNanos = timeoutNanos;
        this.closed = closed;
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) {
        context = ctx;
        arm(timeoutNanos);
        ctx.fireChannelRegistered();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    /** A request head was parsed on {@code channel}: its deadline is met. */
    static void headSeen(Channel channel) {
        HeadDeadlineHandler handler = channel.pipeline().get(HeadDeadlineHandler.class);
        if (handler != null) {
            handler.cancel();
        }
    }

    /** After a response on a kept-alive connection, the next head is due within {@code nanos}. */
    static void rearm(Channel channel, long nanos) {
        HeadDeadlineHandler handler = channel.pipeline().get(HeadDeadlineHandler.class);
        if (handler != null && channel.isActive()) {
            handler.arm(nanos);
        }
    }

    private void arm(long nanos) {
        cancel();
        deadline = context.executor().schedule(() -> {
            closed.increment();
            context.channel().close();
        }, nanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
