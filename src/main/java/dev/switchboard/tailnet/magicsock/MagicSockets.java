package dev.switchboard.tailnet.magicsock;

import dev.switchboard.tailnet.netcheck.IpFamily;
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
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The magic socket's UDP half (tailscale {@code magicsock.go} {@code pconn4}/{@code pconn6}): an IPv4 socket on the
 * configured address and, for the wildcard on a host with IPv6, one on {@code ::} (their own ports unless one is
 * pinned); sends go out of the socket of the target's family. Received datagrams are handed on with their source as
 * an {@link InetSocketAddress}, reused while consecutive datagrams come from one sender.
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

    private final Vertx vertx;
    private final Drops drops;
    private final BiConsumer<Buffer, InetSocketAddress> receiver;
    private DatagramSocket socket;
    /** Null when the host has no IPv6 or the IPv4 socket is bound to one address. */
    private DatagramSocket socket6;
    private InetSocketAddress lastSender;
    private String lastSenderHost;

    MagicSockets(Vertx vertx, Drops drops, BiConsumer<Buffer, InetSocketAddress> receiver) {
        this.vertx = vertx;
        this.drops = drops;
        this.receiver = receiver;
    }

    /** Binds, and completes with our interface addresses at the bound ports (the local endpoints). */
    Future<List<InetSocketAddress>> bind(String host, int port) {
        socket = vertx.createDatagramSocket(options(false));
        socket.handler(this::onDatagram);
        return socket.listen(port, host).compose(s -> bind6(host, port)).map(v -> {
            List<InetSocketAddress> local = new ArrayList<>();
            LocalAddresses.forBind(host).forEach(ip -> local.add(AddrPorts.of(ip, localPort())));
            if (socket6 != null) {
                int port6 = socket6.localAddress().port();
                LocalAddresses.ipv6().forEach(ip -> local.add(AddrPorts.of(ip, port6)));
            }
            return List.copyOf(local);
        });
    }

    private Future<Void> bind6(String host, int port) {
        if (!LocalAddresses.isWildcard(host) || LocalAddresses.ipv6().isEmpty()) {
            return Future.succeededFuture();
        }
        DatagramSocket s6 = vertx.createDatagramSocket(options(true));
        s6.handler(this::onDatagram);
        return s6.listen(port, "::").<Void>map(s -> {
            socket6 = s6;
            return null;
        }).recover(e -> {
            LOG.debugf("magicsock: no IPv6 socket: %s", e.getMessage());
            return s6.close();
        });
    }

    private static DatagramSocketOptions options(boolean ipv6) {
        return new DatagramSocketOptions().setIpV6(ipv6).setReceiveBufferSize(SOCKET_BUFFER_BYTES)
                .setSendBufferSize(SOCKET_BUFFER_BYTES);
    }

    int localPort() {
        return socket.localAddress().port();
    }

    Set<IpFamily> families() {
        return socket6 == null ? EnumSet.of(IpFamily.V4) : EnumSet.of(IpFamily.V4, IpFamily.V6);
    }

    /** Sends from the socket of the target's family; a failure is counted and fails the future. */
    Future<Void> send(Buffer datagram, InetSocketAddress to) {
        DatagramSocket via = AddrPorts.is6(to) ? socket6 : socket;
        if (via == null) {
            drops.count(MagicDrop.UDP_SEND_FAILED);
            return Future.failedFuture("no socket for " + AddrPorts.format(to));
        }
        return via.send(datagram, to.getPort(), to.getAddress().getHostAddress())
                .onFailure(e -> drops.count(MagicDrop.UDP_SEND_FAILED));
    }

    private void onDatagram(DatagramPacket packet) {
        InetSocketAddress src = sender(packet.sender());
        if (src == null) {
            drops.count(MagicDrop.UNPARSABLE_SOURCE);
            return;
        }
        receiver.accept(packet.data(), src);
    }

    private InetSocketAddress sender(SocketAddress s) {
        if (lastSender == null || lastSender.getPort() != s.port() || !s.hostAddress().equals(lastSenderHost)) {
            InetAddress ip = NetUtil.createInetAddressFromIpAddressString(s.hostAddress());
            if (ip == null) {
                return null;
            }
            lastSenderHost = s.hostAddress();
            lastSender = AddrPorts.of(ip, s.port());
        }
        return lastSender;
    }

    Future<Void> close() {
        Future<Void> six = socket6 == null ? Future.succeededFuture() : socket6.close();
        return socket == null ? six : Future.all(six, socket.close()).mapEmpty();
    }
}
