package dev.switchboard.stun;

import dev.switchboard.config.HostPort;
import io.netty.util.NetUtil;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.SocketAddress;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;

/**
 * The UDP STUN responder (tailscale/tailscale net/stunserver): one datagram socket per listen address, each on its
 * event loop. Valid Binding requests get a Binding success with the sender's address; everything else is dropped
 * without a word and counted. A response is at most {@link StunCodec#MAX_RESPONSE_LEN} bytes.
 */
public final class StunServer {
    private static final Logger LOG = Logger.getLogger(StunServer.class);

    private final Vertx vertx;
    private final List<HostPort> addresses;
    private final StunMetrics metrics;
    private final List<DatagramSocket> sockets = new CopyOnWriteArrayList<>();

    public StunServer(Vertx vertx, List<HostPort> addresses, StunMetrics metrics) {
        this.vertx = vertx;
        this.addresses = List.copyOf(addresses);
        this.metrics = metrics;
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
        boolean ipv6 = host.contains(":");
        // No setReceiveBufferSize: Vert.x also sizes every datagram read buffer with it (4 MiB reads: 9x slower).
        DatagramSocket socket = vertx.createDatagramSocket(new DatagramSocketOptions().setIpV6(ipv6));
        socket.handler(packet -> handle(socket, packet));
        return socket.listen(address.port(), host).<Void>map(s -> {
            sockets.add(socket);
            LOG.infof("STUN responder listening on udp %s", s.localAddress());
            return null;
        }).recover(e -> Future.failedFuture(new IllegalStateException(
                "cannot bind STUN responder to udp " + describe(address) + ": " + e.getMessage(), e)));
    }

    private static String describe(HostPort address) {
        String host = address.host().isEmpty() ? "[::]" : address.host().contains(":") ? "[" + address.host() + "]"
                : address.host();
        return host + ":" + address.port();
    }

    private void handle(DatagramSocket socket, DatagramPacket packet) {
        StunCodec.Validation validation = StunCodec.validate(packet.data());
        metrics.received(validation.disposition());
        if (validation.request() == null) {
            LOG.tracef("stun: dropped datagram from %s: %s", packet.sender(), validation.reason());
            return;
        }
        SocketAddress sender = packet.sender();
        InetAddress address = literal(sender.hostAddress());
        if (address == null) {
            metrics.writeError();
            return;
        }
        StunCodec.BindingRequest request = validation.request();
        // Tailscale's request gets derper's exact response; others get a FINGERPRINT if they sent one.
        Buffer response = StunCodec.response(request.transactionId(), address, sender.port(),
                request.fingerprint() && !request.tailscale());
        metrics.answered(StunCodec.isIpv4(address));
        socket.send(response, sender.port(), sender.hostAddress()).onFailure(e -> metrics.writeError());
    }

    private static InetAddress literal(String host) {
        byte[] raw = host == null ? null : NetUtil.createByteArrayFromIpAddressString(host);
        try {
            return raw == null ? null : InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** The bound local addresses, in configuration order (ports resolved when 0 was asked for). */
    public List<InetSocketAddress> localAddresses() {
        return sockets.stream().map(s -> new InetSocketAddress(literal(s.localAddress().hostAddress()),
                s.localAddress().port())).toList();
    }

    public Future<Void> stop() {
        List<Future<Void>> closing = sockets.stream().map(DatagramSocket::close).toList();
        sockets.clear();
        return Future.all(closing).mapEmpty();
    }
}
