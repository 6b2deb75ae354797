package dev.switchboard.tailnet.netcheck;

import dev.switchboard.derpmap.DerpMap;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.SocketAddress;

import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Netcheck over UDP sockets of its own (for {@code switchboard netcheck} and the health check): an IPv4 socket,
 * plus an IPv6 one when the OS allows, both feeding one {@link StunTransactions}. {@link #close} releases them.
 *
 * <p>The sockets live on the context they were opened on; the transactions and every report run there too.
 */
public final class StandaloneNetcheck implements AutoCloseable {
    /** Outstanding requests at once: the plan's 3 per region and family, plus per-node checks, with headroom. */
    static final int MAX_IN_FLIGHT = 1024;

    private final Vertx vertx;
    private final DatagramSocket v4;
    private final DatagramSocket v6; // null when IPv6 is unavailable
    private final StunTransactions transactions;

    private StandaloneNetcheck(Vertx vertx, Context context, DatagramSocket v4, DatagramSocket v6) {
        this.vertx = vertx;
        this.v4 = v4;
        this.v6 = v6;
        this.transactions = new StunTransactions(vertx, context, this::send, MAX_IN_FLIGHT);
        v4.handler(p -> transactions.receive(p.data(), address(p.sender())));
        if (v6 != null) {
            v6.handler(p -> transactions.receive(p.data(), address(p.sender())));
        }
    }

    /** Binds the sockets on {@code context}; an IPv6 socket that cannot be bound is left out, not an error. */
    public static Future<StandaloneNetcheck> open(Vertx vertx, Context context) {
        return Future.<StandaloneNetcheck>future(promise -> context.runOnContext(v -> {
            Future<DatagramSocket> v4 = vertx.createDatagramSocket(new DatagramSocketOptions()).listen(0, "0.0.0.0");
            Future<Optional<DatagramSocket>> v6 = vertx.createDatagramSocket(new DatagramSocketOptions().setIpV6(true))
                    .listen(0, "::").map(Optional::of).otherwise(Optional.empty());
            Future.all(v4, v6).map(all -> new StandaloneNetcheck(vertx, context, v4.result(),
                    v6.result().orElse(null))).onComplete(promise);
        }));
    }

    public StunTransactions transactions() {
        return transactions;
    }

    /** The IPv4 socket's port: what a STUN server on this host reports back as our mapped port. */
    public int localPortV4() {
        return v4.localAddress().port();
    }

    public Set<IpFamily> families() {
        return v6 == null ? EnumSet.of(IpFamily.V4) : EnumSet.of(IpFamily.V4, IpFamily.V6);
    }

    public Future<NetcheckReport> report(DerpMap map, Consumer<String> log) {
        return new Netcheck(vertx, transactions, families(), v6 != null, log).run(map);
    }

    private Future<Void> send(io.vertx.core.buffer.Buffer datagram, InetSocketAddress target) {
        DatagramSocket socket = IpFamily.of(target.getAddress()) == IpFamily.V4 ? v4 : v6;
        if (socket == null) {
            return Future.failedFuture("no IPv6 socket");
        }
        return socket.send(datagram, target.getPort(), target.getAddress().getHostAddress());
    }

    private static InetSocketAddress address(SocketAddress sender) {
        return new InetSocketAddress(NodeAddresses.literal(sender.hostAddress()).orElseThrow(), sender.port());
    }

    @Override
    public void close() {
        v4.close();
        if (v6 != null) {
            v6.close();
        }
    }
}
