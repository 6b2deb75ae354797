package dev.switchboard.tailnet.wireguard;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * One allowed-IPs prefix of a peer (wireguard-go {@code device/allowedips.go} entries; Tailscale's
 * {@code Node.AllowedIPs}, in Coder the node's /128 addresses). Immutable.
 */
public record AllowedIp(byte[] address, int bits) {
    public AllowedIp {
        if (address.length != 4 && address.length != 16) {
            throw new IllegalArgumentException("address must be 4 or 16 bytes");
        }
        if (bits < 0 || bits > address.length * 8) {
            throw new IllegalArgumentException("prefix length out of range: " + bits);
        }
        address = address.clone();
    }

    /** Parses {@code addr/bits}, e.g. {@code fd7a:115c:a1e0::1/128}; a bare address is a host prefix. */
    public static AllowedIp parse(String text) {
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        try {
            byte[] a = InetAddress.getByName(host).getAddress();
            return new AllowedIp(a, slash < 0 ? a.length * 8 : Integer.parseInt(text.substring(slash + 1)));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + host, e);
        }
    }

    /** Does the address at {@code b[offset..offset+len)} fall inside this prefix? No allocation. */
    public boolean contains(byte[] b, int offset, int len) {
        if (len != address.length) {
            return false;
        }
        int full = bits >>> 3;
        for (int i = 0; i < full; i++) {
            if (b[offset + i] != address[i]) {
                return false;
            }
        }
        int rest = bits & 7;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return ((b[offset + full] ^ address[full]) & mask) == 0;
    }

    @Override
    public byte[] address() {
        return address.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AllowedIp other && bits == other.bits && Arrays.equals(address, other.address);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(address) * 31 + bits;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(address).getHostAddress() + "/" + bits;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
