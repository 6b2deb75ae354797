package dev.switchboard.coordinator;

import dev.switchboard.coordinator.proto.Node;

/**
 * A tunnel peer connected to another replica, as the shared state shows it to one local peer: its best node
 * (pgcoord's best mapping: a known node beats a lost one, the newest known one wins), whether that is lost, and
 * whether the tunnel is {@code inbound} (opened by the remote peer towards the local one; otherwise it is the local
 * peer's own tunnel).
 */
public record RemotePeer(Node node, boolean lost, boolean inbound) {
}
