package dev.switchboard.tailnet.magicsock;

import java.net.InetSocketAddress;

/**
 * A disco Ping the caller must seal and send to {@code to} (a UDP address, or a {@link DerpMagicAddress} socket
 * address for CLI pings through DERP); the table entry for {@code txId} already exists.
 */
public record PingRequest(TxId txId, InetSocketAddress to, PingPurpose purpose) {
}
