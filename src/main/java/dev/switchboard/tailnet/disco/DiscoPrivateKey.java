package dev.switchboard.tailnet.disco;

import dev.switchboard.derp.NaclBox;
import dev.switchboard.derp.NodePrivateKey;

/** An X25519 disco private key (tailscale {@code types/key/disco.go}); new each process start. */
public final class DiscoPrivateKey {
    private final NodePrivateKey key;
    private final DiscoKey publicKey;

    private DiscoPrivateKey(NodePrivateKey key) {
        this.key = key;
        this.publicKey = new DiscoKey(key.publicKey());
    }

    public static DiscoPrivateKey generate() {
        return new DiscoPrivateKey(NodePrivateKey.generate());
    }

    public static DiscoPrivateKey of(byte[] raw) {
        return new DiscoPrivateKey(NodePrivateKey.of(raw));
    }

    public DiscoKey publicKey() {
        return publicKey;
    }

    NodePrivateKey asBoxKey() {
        return key;
    }

    /** {@code crypto_box_beforenm(peer, this)}, the {@code DiscoShared} key. */
    public byte[] sharedKey(DiscoKey peer) {
        return NaclBox.sharedKey(key, peer.key());
    }

    @Override
    public String toString() {
        return "discoprivkey:<redacted>";
    }
}
