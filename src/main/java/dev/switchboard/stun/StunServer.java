package dev.switchboard.stun;

import dev.switchboard.config.ConfigDefaults;
import dev.switchboard.config.HostPort;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The UDP STUN responder (tailscale/tailscale net/stunserver): one datagram socket per listen address, each on its
 * own event loop, with a receive buffer of {@code CODER_STUN_RECEIVE_BUFFER} so bursts wait in the kernel instead of
 * being dropped there. Valid Binding requests get a Binding success with the sender's address, as long as the
 * socket's {@link ByteBudget} allows (it never sends more bytes than it received plus a small allowance); everything
 * else is dropped without a word and counted. A response is at most {@link StunCodec#MAX_RESPONSE_LEN} bytes.
 *
 * <p>Works on {@link BatchedDatagramChannels} rather than Vert.x's {@code DatagramSocket}, which turns every sender
 * address into a string and resolves it back, and flushes every response by itself. Here the answers to one read
 * burst leave in one flush. When the socket's send buffer is full, answers are dropped and counted as write errors
 * instead of queuing without bound.
 */
public final class StunServer {
    private static final Logger LOG = Logger.getLogger(StunServer.class);
    static final String RECEIVE_BUFFER_VARIABLE = "CODER_STUN_RECEIVE_BUFFER";
    private static final boolean LINUX = "Linux".equals(System.getProperty("os.name"));

    private final Vertx vertx;
    private final List<HostPort> addresses;
    private final StunMetrics metrics;
    private final int receiveBuffer;
    private final List<DatagramChannel> channels = new CopyOnWriteArrayList<>();

    /** With the default receive buffer ({@link ConfigDefaults#STUN_RECEIVE_BUFFER}). */
    public StunServer(Vertx vertx, List<HostPort> addresses, StunMetrics metrics) {
        this(vertx, addresses, metrics, Integer.parseInt(ConfigDefaults.STUN_RECEIVE_BUFFER));
    }

    /** @param receiveBuffer SO_RCVBUF for each socket in bytes, 0 for the kernel's default */
    public StunServer(Vertx vertx, List<HostPort> addresses, StunMetrics metrics, int receiveBuffer) {
        this.vertx = vertx;
        this.addresses = List.copyOf(addresses);
        this.metrics = metrics;
        this.receiveBuffer = receiveBuffer;
    }

    /** Binds every address; fails with a message naming the address that could not be bound. */
    public Future<Void> start() {
        Future<Void> chain = Future.succeededFuture();
        for (HostPort address : addresses) {
            chain = chain.compose(v -> bind(address));
        }
        return chain;
    }

    private Future<Void> bind(HostPort address) {
        // An empty host means every interface: one dual-stack socket on [::] also receives IPv4.
        String host = address.host().isEmpty() ? "::" : address.host();
        InternetProtocolFamily family = host.contains(":") ? InternetProtocolFamily.IPv6 : InternetProtocolFamily.IPv4;
        return BatchedDatagramChannels.open(vertx, family, new Responder(), receiveBuffer)
                .compose(channel -> BatchedDatagramChannels.bind(channel, new InetSocketAddress(host, address.port())))
                .<Void>map(channel -> {
                    channels.add(channel);
                    LOG.infof("STUN responder listening on udp %s", channel.localAddress());
                    checkReceiveBuffer(channel);
                    return null;
                }).recover(e -> Future.failedFuture(new BindFailure(describe(address), e)));
    }

    /**
     * Linux caps SO_RCVBUF at net.core.rmem_max without an error and reports twice what it granted, for its own
     * bookkeeping (socket(7)), so a smaller buffer than asked for is only visible here: say so, since it means drops
     * in bursts.
     */
    private void checkReceiveBuffer(DatagramChannel channel) {
        int reported = channel.config().getReceiveBufferSize();
        long granted = LINUX ? reported / 2 : reported;
        if (receiveBuffer > 0 && granted < receiveBuffer) {
            LOG.warnf("STUN socket %s: %s=%d asked for, the kernel granted %d (capped at net.core.rmem_max; raise that "
                    + "with sysctl to absorb larger bursts)", channel.localAddress(), RECEIVE_BUFFER_VARIABLE,
                    receiveBuffer, granted);
        }
    }

    /** An address could not be bound; {@link #address()} is which one, the cause says why. */
    public static final class BindFailure extends IllegalStateException {
        private final String address;

        BindFailure(String address, Throwable cause) {
            super("cannot bind STUN responder to udp " + address + ": " + cause.getMessage(), cause);
            this.address = address;
        }

        public String address() {
            return address;
        }
    }

    private static String describe(HostPort address) {
        String host = address.host().isEmpty() ? "[::]" : address.host().contains(":") ? "[" + address.host() + "]"
                : address.host();
        return host + ":" + address.port();
    }

    /** The bound local addresses, in configuration order (ports resolved when 0 was asked for). */
    public List<InetSocketAddress> localAddresses() {
        return channels.stream().map(channel -> (InetSocketAddress) channel.localAddress()).toList();
    }

    public Future<Void> stop() {
        List<Future<Void>> closing = channels.stream().map(channel -> {
            Promise<Void> closed = Promise.promise();
            channel.close().addListener(result -> BatchedDatagramChannels.complete(result, closed, null));
            return closed.future();
        }).toList();
        channels.clear();
        return Future.all(closing).mapEmpty();
    }

    /**
     * Answers each datagram of a read burst, then flushes the answers together. The request is read in place and the
     * answer written straight into a pooled direct buffer, which is what the socket sends from; per datagram the
     * heap sees only what Netty hands in (the packet, its sender address), the sender's address bytes and the
     * outgoing packet. One instance per socket, so its {@link Fingerprinter} stays on one event loop.
     */
    private final class Responder extends ChannelInboundHandlerAdapter {
        private final Fingerprinter fingerprinter = new Fingerprinter();
        private final ByteBudget budget = new ByteBudget();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            try {
                if (message instanceof DatagramPacket packet) {
                    answer(ctx, packet);
                }
            } finally {
                ReferenceCountUtil.release(message);
            }
        }

        private void answer(ChannelHandlerContext ctx, DatagramPacket packet) {
            ByteBuf request = packet.content();
            StunCodec.Verdict verdict = StunCodec.verdict(request, fingerprinter);
            budget.received(request.readableBytes());
            metrics.received(verdict.disposition(), request.readableBytes());
            InetSocketAddress sender = packet.sender();
            if (!verdict.answered()) {
                LOG.tracef("stun: dropped datagram from %s: %s", sender, verdict.reason());
                return;
            }
            if (!ctx.channel().isWritable()) {
                metrics.writeError();
                return;
            }
            byte[] ip = sender.getAddress().getAddress();
            // Tailscale's request gets derper's exact response; others get a FINGERPRINT if they sent one.
            boolean fingerprint = verdict == StunCodec.Verdict.GENERIC_WITH_FINGERPRINT;
            int length = StunCodec.responseLength(ip, fingerprint);
            if (!budget.spend(length, verdict == StunCodec.Verdict.TAILSCALE)) {
                metrics.droppedOverBudget();
                return;
            }
            ByteBuf response = ctx.alloc().directBuffer(length);
            StunCodec.writeResponse(request, ip, sender.getPort(), fingerprint, response, fingerprinter);
            metrics.answered(StunCodec.isIpv4(ip), length);
            // A failed send surfaces in exceptionCaught: no promise per datagram.
            ctx.write(new DatagramPacket(response, sender), ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            metrics.writeError();
            LOG.debugf("stun: %s", cause.toString());
        }
    }
}
