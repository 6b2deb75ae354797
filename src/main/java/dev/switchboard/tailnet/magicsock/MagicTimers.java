package dev.switchboard.tailnet.magicsock;

import dev.switchboard.tailnet.wireguard.PeerTimers;
import dev.switchboard.tailnet.wireguard.WireGuardDevice;
import io.vertx.core.Vertx;

import java.util.function.Consumer;

/**
 * The conn's per-peer Vert.x timers: one for the peer's earliest WireGuard deadline (handshake retransmits,
 * keepalives, rekeys, zeroing; wireguard-go {@code device/timers.go}), one for the disco heartbeat of its direct path
 * (tailscale {@code magicsock} {@code heartbeat}, every 3 s while the path is in use). What a timer sends goes back
 * through the conn. Confined to the conn's event loop.
 */
final class MagicTimers {
    private static final long HEARTBEAT_MS = MagicsockConstants.HEARTBEAT_INTERVAL.toMillis();

    private final Vertx vertx;
    private final WireGuardDevice device;
    /** Sends what WireGuard's timers produced for the peer (retransmits, keepalives) and what was staged. */
    private final Consumer<MagicPeer> wireGuardDue;
    private final DiscoSends discoSends;

    MagicTimers(Vertx vertx, WireGuardDevice device, Consumer<MagicPeer> wireGuardDue, DiscoSends discoSends) {
        this.vertx = vertx;
        this.device = device;
        this.wireGuardDue = wireGuardDue;
        this.discoSends = discoSends;
    }

    /** Arms one timer for the peer's earliest WireGuard deadline; an earlier deadline replaces a later timer. */
    void armWireGuard(MagicPeer p) {
        long at = device.nextDeadline(p.wg);
        if (p.removed || at == PeerTimers.UNSET || p.wgTimer >= 0 && p.wgTimerAt - at <= 0) {
            return;
        }
        if (p.wgTimer >= 0) {
            vertx.cancelTimer(p.wgTimer);
        }
        long delayMs = Math.max(1, (at - System.nanoTime() + 999_999) / 1_000_000);
        p.wgTimerAt = at;
        p.wgTimer = vertx.setTimer(delayMs, t -> {
            p.wgTimer = -1;
            p.wgTimerAt = PeerTimers.UNSET;
            if (!p.removed) {
                wireGuardDue.accept(p);
                armWireGuard(p);
            }
        });
    }

    void scheduleHeartbeat(MagicPeer p) {
        p.heartbeatTimer = vertx.setTimer(HEARTBEAT_MS, t -> {
            p.heartbeatTimer = -1;
            if (p.removed) {
                return;
            }
            HeartbeatPlan hb = p.path.heartbeat(System.nanoTime());
            discoSends.sendRound(p, hb.round());
            if (hb.reschedule()) {
                scheduleHeartbeat(p);
            }
        });
    }

    void stop(MagicPeer p) {
        p.removed = true;
        for (long timer : new long[] {p.wgTimer, p.heartbeatTimer}) {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
        }
    }
}
