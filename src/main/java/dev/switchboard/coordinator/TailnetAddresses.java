package dev.switchboard.coordinator;

import io.netty.util.NetUtil;

import java.util.Arrays;
import java.util.UUID;

/** Tailnet addressing (Coder's `tailnet/conn.go`, IPFromUUID): agent addresses derive from the agent UUID. */
public final class TailnetAddresses {
    /** Tailscale's service prefix fd7a:115c:a1e0::/48. */
    static final byte[] TAILSCALE_PREFIX = NetUtil.createByteArrayFromIpAddressString("fd7a:115c:a1e0::");
    /** Coder's service prefix fd60:627a:a42b::/48. */
    static final byte[] CODER_PREFIX = NetUtil.createByteArrayFromIpAddressString("fd60:627a:a42b::");
    /** The single address every agent used before per-agent addresses. */
    static final byte[] LEGACY_AGENT_IP = NetUtil.createByteArrayFromIpAddressString("fd7a:115c:a1e0:49d6:b259:b7ac:b1b2:48f4");

    private TailnetAddresses() {
    }

    /** First 6 bytes of the prefix ‖ last 10 bytes of the UUID. */
    public static byte[] fromUuid(byte[] prefix, UUID id) {
        byte[] out = Arrays.copyOf(prefix, 16);
        byte[] uuid = java.nio.ByteBuffer.allocate(16).putLong(id.getMostSignificantBits())
                .putLong(id.getLeastSignificantBits()).array();
        System.arraycopy(uuid, 6, out, 6, 10);
        return out;
    }

    /** The /128 an agent must publish: its UUID under Tailscale's prefix, as {@code ip/128}. */
    public static String agentAddress(UUID agentId) {
        return NetUtil.bytesToIpAddress(fromUuid(TAILSCALE_PREFIX, agentId)) + "/128";
    }

    /**
     * Both /128s an agent advertises ({@code agent/agent.go}: {@code PrefixFromUUID} under each prefix); clients dial
     * the first.
     */
    public static java.util.List<String> agentAddresses(UUID agentId) {
        return java.util.List.of(agentAddress(agentId), NetUtil.bytesToIpAddress(fromUuid(CODER_PREFIX, agentId)) + "/128");
    }

    /** A CLI client's /128: {@code TailscaleServicePrefix.RandomAddr()}, a random UUID under Tailscale's prefix. */
    public static String clientAddress(UUID random) {
        return agentAddress(random);
    }

    /** A parsed {@code address/bits} prefix. */
    record Prefix(byte[] address, int bits) {
    }

    /** Parses {@code ip/bits}; throws with the offending text on anything else. */
    static Prefix parse(String text) throws CoordinationException {
        int slash = text.indexOf('/');
        byte[] ip = slash < 0 ? null : NetUtil.createByteArrayFromIpAddressString(text.substring(0, slash));
        int bits;
        try {
            bits = slash < 0 ? -1 : Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            bits = -1;
        }
        if (ip == null || bits < 0 || bits > ip.length * 8) {
            throw new CoordinationException("invalid address prefix \"" + text + "\"");
        }
        return new Prefix(ip, bits);
    }

    /** Every address must be a single host (/128, or /32 for IPv4). */
    static Prefix requireHost(String text) throws CoordinationException {
        Prefix prefix = parse(text);
        int expected = prefix.address().length * 8;
        if (prefix.bits() != expected) {
            throw new CoordinationException("invalid address bits, expected " + expected + ", got " + prefix.bits());
        }
        return prefix;
    }
}
