package dev.switchboard.tailnet.magicsock;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.random.RandomGenerator;

/**
 * A disco ping transaction ID ({@code stun.TxID}, 12 bytes). Compared by content so it can key the outstanding-ping
 * table. Tailscale draws them from {@code crypto/rand}; the generator is injected so tests are deterministic.
 */
public final class TxId {
    public static final int LEN = 12;
    private final byte[] bytes;

    private TxId(byte[] bytes) {
        this.bytes = bytes;
    }

    public static TxId of(byte[] bytes) {
        if (bytes.length != LEN) {
            throw new IllegalArgumentException("TxID must be 12 bytes");
        }
        return new TxId(bytes.clone());
    }

    public static TxId random(RandomGenerator random) {
        byte[] b = new byte[LEN];
        random.nextBytes(b);
        return new TxId(b);
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TxId t && Arrays.equals(bytes, t.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes, 0, 6);
    }
}
