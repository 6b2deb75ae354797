-- The cross-replica coordinator (after Coder's pgcoord, enterprise/tailnet/pgcoord.go): V1 created its tables; this
-- adds what the coordinator needs beyond them. Never edit an applied migration, add V3__… instead.

-- 'stopped' when a coordinator shut down gracefully: the others treat its peers as LOST at once instead of after
-- three missed heartbeats. A live coordinator is 'ok' with heartbeat_at within the last 6 s.
CREATE TYPE coordinator_status AS ENUM ('ok', 'stopped');
ALTER TABLE coordinators ADD COLUMN status coordinator_status NOT NULL DEFAULT 'ok';

-- The node key (Node.key, 34 bytes) of the peer's node, so relay admission (CODER_DERP_SERVER_VERIFY_CLIENTS)
-- finds a key any replica's peer announced without decoding every node.
ALTER TABLE peers ADD COLUMN node_key bytea;
CREATE INDEX peers_node_key ON peers (node_key);

-- The cleanups (CleanTailnetCoordinators, CleanTailnetLostPeers, CleanTailnetTunnels in Coder's
-- coderd/database/queries/tailnet.sql) select old rows in bounded batches; these keep that an index scan.
CREATE INDEX coordinators_heartbeat_at ON coordinators (heartbeat_at);
CREATE INDEX peers_lost_updated_at ON peers (updated_at) WHERE status = 'lost';
CREATE INDEX tunnels_updated_at ON tunnels (updated_at);
