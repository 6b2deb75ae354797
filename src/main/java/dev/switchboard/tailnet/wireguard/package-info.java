/**
 * WireGuard, byte-compatible with wireguard-go as Tailscale and Coder run it (zero PSK, node key = static key, MTU
 * 1280), without sockets or threads.
 *
 * <p>Entry point: {@link dev.switchboard.tailnet.wireguard.WireGuardDevice}. One event loop owns it:
 * <ul>
 *   <li>{@code addPeer(nodeKey, allowedIps, endpoint)} for each netmap peer (the table is bounded);</li>
 *   <li>{@code receive(buf, off, len, source, underLoad)} for every non-disco datagram, UDP or DERP (for DERP pass a
 *       stable per-peer fake address, as magicsock's {@code initFakeUDPAddr}); act on the
 *       {@link dev.switchboard.tailnet.wireguard.Received} — send a {@code Reply} to {@code peer.endpoint()}, a
 *       {@code CookieReply} to the source, deliver {@code Data}'s packet view, count {@code Dropped} by reason;</li>
 *   <li>{@code send(peer, buf, off, ipLength)} with the IP packet written at {@code off + 16} and room for 32 + 15 more
 *       bytes; {@code NO_SESSION} means stage the packet and call {@code poll};</li>
 *   <li>{@code poll(peer)} until null whenever {@code nextDeadline(peer)} has passed (initiations, retries,
 *       keepalives, key erasure).</li>
 * </ul>
 *
 * <p>Layers, each a small class named after wireguard-go: {@link dev.switchboard.tailnet.wireguard.NoiseHelpers}
 * (BLAKE2s HASH/MAC/HMAC/KDF), {@link dev.switchboard.tailnet.wireguard.Tai64n},
 * {@link dev.switchboard.tailnet.wireguard.MessageType}/{@link dev.switchboard.tailnet.wireguard.Messages} (framing),
 * {@link dev.switchboard.tailnet.wireguard.NoiseProtocol} (handshake), {@link dev.switchboard.tailnet.wireguard.CookieChecker}
 * / {@link dev.switchboard.tailnet.wireguard.CookieGenerator} (mac1/mac2), {@link dev.switchboard.tailnet.wireguard.Keypair}
 * with {@link dev.switchboard.tailnet.wireguard.ChaChaPoly} (zero-allocation in-place transport AEAD) and
 * {@link dev.switchboard.tailnet.wireguard.ReplayFilter}, {@link dev.switchboard.tailnet.wireguard.PeerTimers}.
 */
package dev.switchboard.tailnet.wireguard;
