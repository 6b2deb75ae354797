package dev.switchboard.tailnet.magicsock;

/**
 * {@link PathEndpoint#heartbeat}: the pings to send, and whether to call it again after
 * {@link MagicsockConstants#HEARTBEAT_INTERVAL}. {@code reschedule} is false once the session has been idle for
 * {@link MagicsockConstants#SESSION_ACTIVE_TIMEOUT}; the next send restarts it.
 */
public record HeartbeatPlan(PingRound round, boolean reschedule) {
}
