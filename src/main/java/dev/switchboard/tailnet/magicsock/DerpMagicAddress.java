package dev.switchboard.tailnet.magicsock;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * The fake address {@code 127.3.3.40:<regionID>} that stands for "DERP region N" wherever magicsock handles paths
 * ({@code tailcfg.DerpMagicIP}; 3, 3, 4, 0 are the digit keys above D, E, R, P). Coder builds a peer's
 * {@code tailcfg.Node.DERP} as this string from {@code Node.preferred_derp} ({@code coder/coder
 * tailnet/configmaps.go protoNodeToTailcfg}); pongs and pings that came over DERP carry it as their source.
 */
public record DerpMagicAddress(int regionId) {
    /** {@code tailcfg.DerpMagicIP}. */
    public static final String MAGIC_IP = "127.3.3.40";
    private static final byte[] MAGIC_IP_BYTES = {127, 3, 3, 40};
    private static final InetAddress MAGIC_INET;

    static {
        try {
            MAGIC_INET = InetAddress.getByAddress(MAGIC_IP_BYTES);
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Region IDs travel in the port field, so they are 1–65535; 0 means "no DERP" and is never an address. */
    public DerpMagicAddress {
        if (regionId <= 0 || regionId > 0xffff) {
            throw new IllegalArgumentException("DERP region must be 1..65535, was " + regionId);
        }
    }

    /**
     * A peer's home DERP from {@code Node.preferred_derp}; empty for 0, which Coder treats as "not yet known" and
     * ignores ({@code configmaps.go}).
     */
    public static Optional<DerpMagicAddress> ofPreferredDerp(int preferredDerp) {
        return preferredDerp > 0 && preferredDerp <= 0xffff ? Optional.of(new DerpMagicAddress(preferredDerp))
                : Optional.empty();
    }

    /** Whether {@code a} is a DERP magic address ({@code src.Addr() == tailcfg.DerpMagicIPAddr}). */
    public static boolean isDerp(InetSocketAddress a) {
        return a.getAddress() != null && MAGIC_INET.equals(a.getAddress());
    }

    /** The region of a magic address, or empty for a real UDP address (or magic port 0). */
    public static Optional<DerpMagicAddress> of(InetSocketAddress a) {
        return isDerp(a) ? ofPreferredDerp(a.getPort()) : Optional.empty();
    }

    /** Parses the {@code tailcfg.Node.DERP} text {@code 127.3.3.40:N}. */
    public static Optional<DerpMagicAddress> parse(String text) {
        return AddrPorts.parse(text).flatMap(DerpMagicAddress::of);
    }

    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(MAGIC_INET, regionId);
    }

    @Override
    public String toString() {
        return MAGIC_IP + ":" + regionId;
    }
}
