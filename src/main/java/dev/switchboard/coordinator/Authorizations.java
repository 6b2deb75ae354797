package dev.switchboard.coordinator;

import dev.switchboard.coordinator.proto.CoordinateRequest;

import java.util.Arrays;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/** The four CoordinateeAuth policies of Coder's `tailnet/tunnel.go`, with Coder's error texts. */
public final class Authorizations {
    private Authorizations() {
    }

    /** A workspace agent: publishes its own node (addresses derived from its ID), never opens tunnels. */
    public static Authorization agent(UUID agentId) {
        return new Authorization() {
            @Override
            public void authorize(CoordinateRequest request) throws CoordinationException {
                if (request.hasAddTunnel()) {
                    throw new CoordinationException("agents cannot open tunnels");
                }
                if (request.hasUpdateSelf()) {
                    for (String address : request.getUpdateSelf().getNode().getAddressesList()) {
                        byte[] ip = TailnetAddresses.requireHost(address).address();
                        if (!Arrays.equals(ip, TailnetAddresses.fromUuid(TailnetAddresses.TAILSCALE_PREFIX, agentId))
                                && !Arrays.equals(ip, TailnetAddresses.fromUuid(TailnetAddresses.CODER_PREFIX, agentId))
                                && !Arrays.equals(ip, TailnetAddresses.LEGACY_AGENT_IP)) {
                            throw new CoordinationException("invalid node address, got " + address);
                        }
                    }
                }
            }

            @Override
            public boolean isAgent() {
                return true;
            }

            @Override
            public String describe() {
                return "agent " + agentId;
            }
        };
    }

    /** A client bound to one agent (CLI, IDE): tunnels only to that agent. */
    public static Authorization client(UUID agentId) {
        return clientPolicy("client of agent " + agentId, id -> id.equals(agentId),
                id -> "invalid agent id, expected " + agentId + ", got " + id);
    }

    /** A user-scoped client: tunnels to any agent the user may reach ({@code null} set = all, for admins). */
    public static Authorization userClient(UUID userId, Set<UUID> reachableAgents) {
        return clientPolicy("user " + userId, id -> reachableAgents == null || reachableAgents.contains(id),
                id -> "workspace agent not found or you do not have permission");
    }

    /** The server's own in-process peer (web terminal, app proxy): everything allowed. */
    public static Authorization singleTailnet() {
        return new Authorization() {
            @Override
            public void authorize(CoordinateRequest request) {
            }

            @Override
            public String describe() {
                return "single tailnet";
            }
        };
    }

    private interface Refusal {
        String forAgent(UUID id);
    }

    private static Authorization clientPolicy(String description, Predicate<UUID> mayReach, Refusal refusal) {
        return new Authorization() {
            @Override
            public void authorize(CoordinateRequest request) throws CoordinationException {
                if (request.hasAddTunnel()) {
                    UUID dst = Uuids.uuid(request.getAddTunnel().getId());
                    if (!mayReach.test(dst)) {
                        throw new CoordinationException(refusal.forAgent(dst));
                    }
                }
                if (request.hasUpdateSelf()) {
                    for (String address : request.getUpdateSelf().getNode().getAddressesList()) {
                        TailnetAddresses.requireHost(address);
                    }
                }
                if (request.getReadyForHandshakeCount() > 0) {
                    throw new CoordinationException("clients may not send ready_for_handshake");
                }
            }

            @Override
            public String describe() {
                return description;
            }
        };
    }
}
