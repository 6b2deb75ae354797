package dev.switchboard.stun;

import dev.switchboard.vertx.VertxInternals;
import io.netty.channel.ChannelHandler;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.net.InetSocketAddress;

/**
 * UDP channels of Vert.x's own transport, each registered on an event loop of its own, that read in batches: with
 * epoll one {@code recvmmsg} takes up to {@link #DATAGRAMS_PER_READ} datagrams, and a handler that writes during a
 * read burst and flushes once at its end sends with one {@code sendmmsg}. For the STUN responder, where a system
 * call per datagram would be most of the cost.
 */
final class BatchedDatagramChannels {
    /** Room per datagram in a batched read: STUN messages real clients send are well under this. */
    static final int MAX_DATAGRAM = 1500;
    static final int DATAGRAMS_PER_READ = 32;

    private BatchedDatagramChannels() {
    }

    /**
     * A channel with {@code handler}, registered on a new event-loop context's loop; not yet bound.
     *
     * @param receiveBuffer SO_RCVBUF in bytes, 0 for the kernel's default
     */
    static Future<DatagramChannel> open(Vertx vertx, InternetProtocolFamily family, ChannelHandler handler,
                                        int receiveBuffer) {
        DatagramChannel channel = VertxInternals.datagramChannel(vertx, family);
        if (receiveBuffer > 0) {
            channel.config().setReceiveBufferSize(receiveBuffer);
        }
        if (channel instanceof EpollDatagramChannel epoll) {
            epoll.config().setMaxDatagramPayloadSize(MAX_DATAGRAM)
                    .setRecvByteBufAllocator(new FixedRecvByteBufAllocator(MAX_DATAGRAM * DATAGRAMS_PER_READ));
        }
        channel.pipeline().addLast(handler);
        Promise<DatagramChannel> registered = Promise.promise();
        VertxInternals.newEventLoop(vertx).register(channel)
                .addListener(result -> complete(result, registered, channel));
        return registered.future();
    }

    /** Binds an opened channel; on failure closes it. */
    static Future<DatagramChannel> bind(DatagramChannel channel, InetSocketAddress address) {
        Promise<DatagramChannel> bound = Promise.promise();
        channel.bind(address).addListener(result -> complete(result, bound, channel));
        return bound.future().recover(e -> {
            channel.close();
            return Future.failedFuture(e);
        });
    }

    /** Completes a Vert.x promise from a Netty future. */
    static <T> void complete(io.netty.util.concurrent.Future<?> result, Promise<T> promise, T value) {
        if (result.isSuccess()) {
            promise.complete(value);
        } else {
            promise.fail(result.cause());
        }
    }
}
