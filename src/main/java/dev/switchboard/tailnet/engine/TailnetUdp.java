package dev.switchboard.tailnet.engine;

import dev.switchboard.tailnet.ip.InternetChecksum;
import dev.switchboard.tailnet.ip.IpPacket;
import dev.switchboard.tailnet.magicsock.MagicConn;
import io.vertx.core.buffer.Buffer;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * UDP over the tunnel on our first tailnet address (RFC 768; over IPv6 the checksum is mandatory, RFC 8200 §8.1): bound
 * ports get the datagrams addressed to them, anything else is dropped and counted ({@link EngineDrop}). A datagram
 * fits one tunnel packet: at most {@link #MAX_PAYLOAD} bytes, as Tailscale's netstack never fragments inside the
 * 1280-byte MTU. At most {@link #MAX_BOUND} ports are bound at once. Owned by the engine's event loop: bind, send and
 * close there ({@link Engine#context()}); handlers run there.
 */
public final class TailnetUdp {
    public static final int HEADER_LENGTH = 8;
    public static final int MAX_PAYLOAD = IpPacket.MTU - IpPacket.IPV6_HEADER_LENGTH - HEADER_LENGTH;
    static final int MAX_BOUND = 1024;
    static final int PROTOCOL_UDP = 17;
    private static final int HOP_LIMIT = 64;
    /** RFC 6335 §6 dynamic ports, where port 0 binds. */
    private static final int EPHEMERAL_FIRST = 49152;

    /** One datagram received: who sent it and its payload (a copy the handler may keep). */
    public record Datagram(InetSocketAddress from, Buffer payload) {
    }

    /** A bound port. */
    public final class Socket {
        private final int port;
        private final Consumer<Datagram> handler;

        private Socket(int port, Consumer<Datagram> handler) {
            this.port = port;
            this.handler = handler;
        }

        public int port() {
            return port;
        }

        /** Sends {@code payload} from this port to a tailnet IPv6 address; false (nothing sent) when it cannot fit. */
        public boolean send(InetSocketAddress to, Buffer payload) {
            if (bound.get(port) != this || !(to.getAddress() instanceof Inet6Address dst)
                    || payload.length() > MAX_PAYLOAD) {
                return false;
            }
            int udp = MagicConn.TX_HEADROOM + IpPacket.IPV6_HEADER_LENGTH;
            int length = HEADER_LENGTH + payload.length();
            IpPacket.writeIpv6Header(tx, MagicConn.TX_HEADROOM, length, PROTOCOL_UDP, HOP_LIMIT, address,
                    dst.getAddress());
            putU16(udp, port);
            putU16(udp + 2, to.getPort());
            putU16(udp + 4, length);
            putU16(udp + 6, 0);
            payload.getBytes(tx, udp + HEADER_LENGTH);
            int sum = new InternetChecksum().addIpv6PseudoHeader(address, 0, dst.getAddress(), 0, length, PROTOCOL_UDP)
                    .add(tx, udp, length).checksum();
            putU16(udp + 6, sum == 0 ? 0xffff : sum); // RFC 768: a computed zero is sent as all ones
            conn.sendPacket(tx, IpPacket.IPV6_HEADER_LENGTH + length);
            return true;
        }

        public void close() {
            bound.remove(port, this);
        }
    }

    private final MagicConn conn;
    private final byte[] address;
    private final Map<Integer, Socket> bound = new HashMap<>();
    // The datagram being sent is built and sealed in place here, apart from the engine's and TCP's buffers.
    private final byte[] tx = new byte[MagicConn.TX_BUFFER_SIZE];

    TailnetUdp(MagicConn conn, byte[] address) {
        this.conn = conn;
        this.address = address.clone();
    }

    /** Binds {@code port} (0: a free dynamic port); fails when it is taken or too many are bound. */
    Socket bind(int port, Consumer<Datagram> handler) {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("UDP port " + port + " is out of range");
        }
        if (bound.size() >= MAX_BOUND) {
            throw new IllegalStateException("already " + MAX_BOUND + " UDP ports bound");
        }
        int chosen = port == 0 ? freeDynamicPort() : port;
        if (bound.containsKey(chosen)) {
            throw new IllegalStateException("UDP port " + chosen + " is already bound");
        }
        Socket socket = new Socket(chosen, handler);
        bound.put(chosen, socket);
        return socket;
    }

    private int freeDynamicPort() {
        int span = 0x10000 - EPHEMERAL_FIRST;
        int start = ThreadLocalRandom.current().nextInt(span);
        for (int i = 0; i < span; i++) {
            int candidate = EPHEMERAL_FIRST + (start + i) % span;
            if (!bound.containsKey(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no free UDP port");
    }

    /** A decrypted IPv6 packet with next header UDP, addressed to us. */
    void onPacket(IpPacket packet) {
        byte[] b = packet.bytes();
        int udp = packet.payloadOffset();
        int length = packet.payloadLength();
        if (packet.version() != 6 || length < HEADER_LENGTH || u16(b, udp + 4) != length || u16(b, udp + 6) == 0
                || !packet.pseudoHeader().add(b, udp, length).verifies()) {
            conn.drops().count(EngineDrop.BAD_UDP);
            return;
        }
        Socket socket = bound.get(u16(b, udp + 2));
        if (socket == null) {
            conn.drops().count(EngineDrop.UDP_PORT_UNBOUND);
            return;
        }
        InetSocketAddress from = new InetSocketAddress(source(packet), u16(b, udp));
        socket.handler.accept(new Datagram(from, Buffer.buffer(length - HEADER_LENGTH)
                .appendBytes(b, udp + HEADER_LENGTH, length - HEADER_LENGTH)));
    }

    private static InetAddress source(IpPacket packet) {
        try {
            return InetAddress.getByAddress(packet.source());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an IPv6 source is always 16 bytes", e);
        }
    }

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xff) << 8 | b[i + 1] & 0xff;
    }

    private void putU16(int i, int v) {
        tx[i] = (byte) (v >>> 8);
        tx[i + 1] = (byte) v;
    }
}
