package dev.switchboard.tailnet.disco;

import dev.switchboard.derp.NodeKey;

import java.util.HexFormat;

/**
 * A 32-byte X25519 disco public key (tailscale {@code types/key/disco.go}). Text form {@code discokey:<64 hex>}, as
 * Coder publishes it in {@code Node.disco} ({@code MarshalText}).
 */
public record DiscoKey(NodeKey key) {
    public static final String TEXT_PREFIX = "discokey:";

    public static DiscoKey of(byte[] raw) {
        return new DiscoKey(NodeKey.of(raw));
    }

    /** Parses {@code discokey:<64 hex>}. */
    public static DiscoKey parse(String text) {
        if (!text.startsWith(TEXT_PREFIX) || text.length() != TEXT_PREFIX.length() + 64) {
            throw new IllegalArgumentException("disco key must be discokey: followed by 64 hex digits");
        }
        return of(HexFormat.of().parseHex(text.substring(TEXT_PREFIX.length())));
    }

    public byte[] toBytes() {
        return key.toBytes();
    }

    @Override
    public String toString() {
        return TEXT_PREFIX + key.toHex();
    }
}
