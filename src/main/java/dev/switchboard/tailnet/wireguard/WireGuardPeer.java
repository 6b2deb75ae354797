package dev.switchboard.tailnet.wireguard;

import dev.switchboard.derp.NodeKey;

import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.List;
import java.util.function.IntUnaryOperator;
import java.util.function.LongSupplier;

/**
 * One configured peer ({@code Peer} in wireguard-go {@code device/peer.go}): its static key, handshake, cookie
 * generator, the previous/current/next keypairs ({@code Keypairs}, device/keypair.go), timers, allowed IPs and the
 * endpoint it was last authenticated from (roaming, {@code SetEndpointFromPacket}).
 *
 * <p>All fields are owned by the device's event loop (the thread calling {@link WireGuardDevice}); not thread-safe.
 */
public final class WireGuardPeer {
    // Immutable after construction, except where noted; everything is owned by the device's event loop.
    private final NodeKey publicKey;
    final Handshake handshake;
    final CookieGenerator cookieGenerator;
    final PeerTimers timers;
    final Tai64n.Stamper stamper;
    private final List<AllowedIp> allowedIps;
    /** Written by the event loop on every authenticated packet (roaming); volatile so other threads may read it. */
    private volatile InetSocketAddress endpoint;

    // Keypairs: previous (still accepted), current (used to send), next (responder, awaiting confirmation).
    Keypair previous;
    Keypair current;
    Keypair next;
    /** Set by the send/receive paths when a handshake should start; consumed by {@link WireGuardDevice#poll}. */
    boolean handshakeWanted;

    WireGuardPeer(NoisePrivateKey local, NodeKey publicKey, List<AllowedIp> allowedIps, InetSocketAddress endpoint,
                  LongSupplier nanoClock, InstantSource wallClock, IntUnaryOperator jitterMs) {
        this.publicKey = publicKey;
        this.handshake = new Handshake(local, publicKey);
        this.cookieGenerator = new CookieGenerator(publicKey, nanoClock);
        this.timers = new PeerTimers(jitterMs);
        this.stamper = new Tai64n.Stamper(wallClock);
        this.allowedIps = List.copyOf(allowedIps);
        this.endpoint = endpoint;
    }

    public NodeKey publicKey() {
        return publicKey;
    }

    public List<AllowedIp> allowedIps() {
        return allowedIps;
    }

    /** Where to send this peer's datagrams: the configured endpoint, or the last authenticated source. */
    public InetSocketAddress endpoint() {
        return endpoint;
    }

    public void setEndpoint(InetSocketAddress endpoint) {
        this.endpoint = endpoint;
    }

    public PeerTimers timers() {
        return timers;
    }

    /** The keypair used for sending, or null. */
    public Keypair currentKeypair() {
        return current;
    }

    /** Is the address at {@code b[offset..offset+len)} inside one of the allowed IPs? No allocation. */
    public boolean allows(byte[] b, int offset, int len) {
        for (int i = 0; i < allowedIps.size(); i++) {
            if (allowedIps.get(i).contains(b, offset, len)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code ReceivedWithKeypair}: the first transport message under {@code next} confirms it; it becomes current and
     * the old previous keypair is dropped. Returns true if that rotation happened.
     */
    boolean receivedWithKeypair(Keypair received, IndexTable index) {
        if (next == null || next != received) {
            return false;
        }
        forget(previous, index);
        previous = current;
        current = next;
        next = null;
        return true;
    }

    /** {@code BeginSymmetricSession}'s rotation for the initiator: the new keypair is current at once. */
    void installAsInitiator(Keypair kp, IndexTable index) {
        if (next != null) {
            forget(current, index);
            current = next;
            next = null;
        }
        forget(previous, index);
        previous = current;
        current = kp;
    }

    /** The responder's rotation: the new keypair waits as next for key confirmation; previous is dropped. */
    void installAsResponder(Keypair kp, IndexTable index) {
        forget(next, index);
        next = kp;
        forget(previous, index);
        previous = null;
    }

    /** {@code expiredZeroKeyMaterial}: all keypairs and the in-flight handshake go. */
    void zeroKeyMaterial(IndexTable index) {
        forget(previous, index);
        forget(current, index);
        forget(next, index);
        previous = current = next = null;
        index.deleteHandshake(handshake.localIndex, handshake);
        handshake.clear();
    }

    /** {@code DeleteKeypair}: unindex it and erase its keys. */
    private static void forget(Keypair kp, IndexTable index) {
        if (kp != null) {
            index.delete(kp.localIndex());
            kp.destroy();
        }
    }

    @Override
    public String toString() {
        return "peer(" + publicKey.shortString() + ")";
    }
}
