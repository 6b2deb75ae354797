package dev.switchboard.tailnet.magicsock;

import dev.switchboard.tailnet.netcheck.IpFamily;
import dev.switchboard.vertx.VertxInternals;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.jboss.logging.Logger;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The magic socket's UDP half (tailscale {@code magicsock.go} {@code pconn4}/{@code pconn6}): an IPv4 socket on the
 * configured address and, for the wildcard on a host with IPv6, one on {@code ::} (their own ports unless one is
 * pinned); sends go out of the socket of the target's family.
 *
 * <p>Netty channels of Vert.x's transport registered on the conn's event loop, not Vert.x {@code DatagramSocket}s:
 * Vert.x sizes its read buffer to SO_RCVBUF ({@code FixedRecvByteBufAllocator(receiveBufferSize)}), so with the
 * 7 MiB buffer below every datagram read allocated and zeroed 7 MiB of direct memory — 80 % of a core for a few
 * megabits a second. Here reads take pooled {@link #MAX_DATAGRAM}-byte slots (a batch per {@code recvmmsg} with
 * epoll), sends take pooled direct buffers, need no host-name resolution per datagram and are flushed once per read
 * burst.
 *
 * <p>Confined to the conn's event loop.
 */
final class MagicSockets {
    private static final Logger LOG = Logger.getLogger(MagicSockets.class);
    /**
     * SO_RCVBUF/SO_SNDBUF asked for, as tailscale's magicsock {@code socketBufferSize} (7 MiB): a TCP window's worth
     * of datagrams arrives in bursts, and the kernel's default (~208 KiB) dropped hundreds per megabyte while the
     * loop was busy (UdpRcvbufErrors), each one a TCP retransmission. Linux caps it at net.core.rmem_max/wmem_max.
     */
    static final int SOCKET_BUFFER_BYTES = 7 << 20;
    /**
     * Room per datagram read. A WireGuard transport packet at the tailnet MTU is 1280 + 32 bytes, disco and STUN
     * messages are smaller; a longer datagram is cut here and then fails its authentication (counted there).
     */
    static final int MAX_DATAGRAM = 2048;
    private static final int DATAGRAMS_PER_READ = 16;

    private final Vertx vertx;
    private final Context context;
    private final Drops drops;
    private final BiConsumer<ByteBuf, InetSocketAddress> receiver;
    private final ChannelFutureListener countFailure;
    private DatagramChannel socket;
    /** Null when the host has no IPv6 or the IPv4 socket is bound to one address. */
    private DatagramChannel socket6;

    MagicSockets(Vertx vertx, Context context, Drops drops, BiConsumer<ByteBuf, InetSocketAddress> receiver) {
        this.vertx = vertx;
        this.context = context;
        this.drops = drops;
        this.receiver = receiver;
        this.countFailure = f -> {
            if (!f.isSuccess()) {
                drops.count(MagicDrop.UDP_SEND_FAILED);
            }
        };
    }

    /** Binds, and completes with our interface addresses at the bound ports (the local endpoints). */
    Future<List<InetSocketAddress>> bind(String host, int port) {
        return open(InternetProtocolFamily.IPv4, host, port).compose(s -> {
            socket = s;
            return bind6(host, port);
        }).map(v -> {
            List<InetSocketAddress> local = new ArrayList<>();
            LocalAddresses.forBind(host).forEach(ip -> local.add(AddrPorts.of(ip, localPort())));
            if (socket6 != null) {
                int port6 = port(socket6);
                LocalAddresses.ipv6().forEach(ip -> local.add(AddrPorts.of(ip, port6)));
            }
            return List.copyOf(local);
        });
    }

    private Future<Void> bind6(String host, int port) {
        if (!LocalAddresses.isWildcard(host) || LocalAddresses.ipv6().isEmpty()) {
            return Future.succeededFuture();
        }
        return open(InternetProtocolFamily.IPv6, "::", port).<Void>map(s6 -> {
            socket6 = s6;
            return null;
        }).recover(e -> {
            LOG.debugf("magicsock: no IPv6 socket: %s", e.getMessage());
            return Future.succeededFuture();
        });
    }

    /** A channel of {@code family} on the conn's event loop, bound to {@code host:port}; closed again on failure. */
    private Future<DatagramChannel> open(InternetProtocolFamily family, String host, int port) {
        DatagramChannel channel = VertxInternals.datagramChannel(vertx, family);
        channel.config().setReceiveBufferSize(SOCKET_BUFFER_BYTES).setSendBufferSize(SOCKET_BUFFER_BYTES);
        if (channel instanceof EpollDatagramChannel epoll) {
            epoll.config().setMaxDatagramPayloadSize(MAX_DATAGRAM)
                    .setRecvByteBufAllocator(new FixedRecvByteBufAllocator(MAX_DATAGRAM * DATAGRAMS_PER_READ));
        } else {
            channel.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(MAX_DATAGRAM));
        }
        // Sends caused by a read burst (segments an ACK released, ACKs for data) go out with one flush at its end,
        // a sendmmsg with epoll; a send outside a read is flushed at once.
        channel.pipeline().addLast(new FlushConsolidationHandler(DATAGRAMS_PER_READ * 4, false), new Reader());
        Promise<DatagramChannel> bound = Promise.promise();
        VertxInternals.eventLoop(context).register(channel).addListener(registered -> {
            if (!registered.isSuccess()) {
                bound.fail(registered.cause());
                return;
            }
            channel.bind(new InetSocketAddress(host, port)).addListener(b -> {
                if (b.isSuccess()) {
                    bound.complete(channel);
                } else {
                    channel.close();
                    bound.fail(b.cause());
                }
            });
        });
        return bound.future();
    }

    int localPort() {
        return port(socket);
    }

    private static int port(DatagramChannel channel) {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    Set<IpFamily> families() {
        return socket6 == null ? EnumSet.of(IpFamily.V4) : EnumSet.of(IpFamily.V4, IpFamily.V6);
    }

    /** The data path: {@code data[off, off + len)} to {@code to}, copied into a pooled direct buffer. */
    void send(byte[] data, int off, int len, InetSocketAddress to) {
        DatagramChannel via = via(to);
        if (via != null) {
            ByteBuf out = via.alloc().directBuffer(len).writeBytes(data, off, len);
            via.writeAndFlush(new DatagramPacket(out, to)).addListener(countFailure);
        }
    }

    /** Control messages (disco, STUN): a failure is counted and fails the future. */
    Future<Void> send(Buffer datagram, InetSocketAddress to) {
        DatagramChannel via = via(to);
        if (via == null) {
            return Future.failedFuture("no socket for " + AddrPorts.format(to));
        }
        ByteBuf out = via.alloc().directBuffer(datagram.length()).writeBytes(datagram.getBytes());
        Promise<Void> sent = Promise.promise();
        via.writeAndFlush(new DatagramPacket(out, to)).addListener(f -> {
            if (f.isSuccess()) {
                sent.complete();
            } else {
                drops.count(MagicDrop.UDP_SEND_FAILED);
                sent.fail(f.cause());
            }
        });
        return sent.future();
    }

    private DatagramChannel via(InetSocketAddress to) {
        DatagramChannel via = AddrPorts.is6(to) ? socket6 : socket;
        if (via == null) {
            drops.count(MagicDrop.UDP_SEND_FAILED);
        }
        return via;
    }

    Future<Void> close() {
        return Future.all(close(socket6), close(socket)).mapEmpty();
    }

    private static Future<Void> close(DatagramChannel channel) {
        if (channel == null) {
            return Future.succeededFuture();
        }
        Promise<Void> closed = Promise.promise();
        channel.close().addListener(f -> closed.complete());
        return closed.future();
    }

    /**
     * Hands each datagram on with its source, inside the conn's context (so the timers and tasks it starts stay on
     * the conn's loop); the buffer is only lent for the call (MagicConn copies it out).
     */
    private final class Reader extends ChannelInboundHandlerAdapter {
        private final Handler<DatagramPacket> deliver = p -> receiver.accept(p.content(), p.sender());

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof DatagramPacket packet) {
                    VertxInternals.emit(context, packet, deliver);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A read error on a UDP socket (ICMP port unreachable surfaced as an exception) is not fatal.
            LOG.debugf("magicsock: UDP socket: %s", cause.getMessage());
        }
    }
}
