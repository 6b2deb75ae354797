package dev.switchboard.tailnet.engine;

import dev.switchboard.tailnet.ip.IpPacket;
import dev.switchboard.tailnet.magicsock.MagicConn;
import dev.switchboard.tailnet.tcp.TcpStack;
import dev.switchboard.tailnet.tcp.TcpStackConfig;
import dev.switchboard.tailnet.tcp.TcpStackDrop;
import dev.switchboard.tailnet.tcp.VertxTcpScheduler;
import io.vertx.core.Vertx;

import java.security.SecureRandom;
import java.util.Map;

/**
 * The engine's TCP endpoint: a {@link TcpStack} on its first tailnet address (the one peers dial), fed the decrypted
 * TCP packets and sending its segments back through the magic socket, which seals them for the peer whose allowed IPs
 * hold the destination — the part gVisor's netstack plays in Coder's {@code tailnet/conn.go} (Tailscale
 * {@code wgengine/netstack}). IPv6 only: Coder's tailnet addresses are IPv6. Owned by the engine's event loop, where
 * the stack's timers fire too.
 */
final class TailnetTcp {
    private final MagicConn conn;
    private final TcpStack stack;
    // Owned by the event loop; the stack's output is sealed in place here, apart from the engine's own buffer.
    private final byte[] tx = new byte[MagicConn.TX_BUFFER_SIZE];
    private boolean closed;

    TailnetTcp(Vertx vertx, MagicConn conn, byte[] address) {
        this.conn = conn;
        TcpStack[] self = new TcpStack[1];
        // RFC 9293 §3.4.1 / RFC 6528: initial sequence numbers an off-path attacker cannot guess.
        this.stack = new TcpStack(address, null, TcpStackConfig.defaults(), this::send,
                new VertxTcpScheduler(vertx, id -> {
                    if (!closed) {
                        self[0].onTimer(); // re-arms only while open, so a closed engine leaves no timer behind
                    }
                }), new SecureRandom());
        self[0] = stack;
    }

    TcpStack stack() {
        return stack;
    }

    void onPacket(IpPacket packet) {
        if (!closed) {
            stack.onPacket(packet.bytes(), packet.offset(), packet.length());
        }
    }

    /** The engine is closing: nothing more is sent or received, and the timers stop at their next wake-up. */
    void close() {
        closed = true;
    }

    /** The stack's drops by reason, as {@code tcp.REASON}, for {@link Engine#drops()}. */
    void addDrops(Map<String, Long> into) {
        for (TcpStackDrop reason : TcpStackDrop.values()) {
            long n = stack.dropped(reason);
            if (n > 0) {
                into.put("tcp." + reason.name(), n);
            }
        }
    }

    private void send(byte[] packet, int offset, int length) {
        if (closed) {
            return;
        }
        if (length > IpPacket.MTU) {
            // The stack sizes segments to MSS 1220 (MTU 1280); anything longer would not fit the tunnel's buffer.
            conn.drops().count(EngineDrop.OVERSIZED_TCP);
            return;
        }
        System.arraycopy(packet, offset, tx, MagicConn.TX_HEADROOM, length);
        conn.sendPacket(tx, length);
    }
}
