package dev.switchboard.tailnet.magicsock;

/**
 * {@link PathEndpoint#onSend}: where this packet goes, the discovery pings to send alongside, and whether the caller
 * must now schedule {@link PathEndpoint#heartbeat} after {@link MagicsockConstants#HEARTBEAT_INTERVAL} (the timer
 * was idle).
 */
public record SendPlan(SendTargets targets, PingRound round, boolean startHeartbeat) {
}
