-- Shared state of Switchboard replicas. Versioned: never edit an applied migration, add V2__… instead.

-- One row per running replica, after Coder's replicas table (enterprise/replicasync/replicasync.go):
-- updated_at is the heartbeat (every 5 s); a replica is alive when updated within 15 s.
CREATE TABLE replicas (
    id         uuid PRIMARY KEY,
    hostname   text        NOT NULL,
    -- CODER_DERP_SERVER_RELAY_URL: the replica's private URL its siblings mesh with
    relay_url  text        NOT NULL,
    region_id  integer     NOT NULL,
    version    text        NOT NULL,
    started_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    -- last problem this replica had reaching its siblings, '' when none
    error      text        NOT NULL DEFAULT ''
);
CREATE INDEX replicas_updated_at ON replicas (updated_at);

-- Deployment-wide settings; the generated DERP mesh key lives under derp_mesh_key.
CREATE TABLE site_settings (
    key   text PRIMARY KEY,
    value text NOT NULL
);

-- The cross-replica coordinator (next step), after Coder's pgcoord (enterprise/tailnet/pgcoord.go) and its
-- queries (coderd/database/queries/tailnet.sql). Coordinators are separate from replicas so the coordinator could
-- become its own service.
CREATE TYPE peer_status AS ENUM ('ok', 'lost');

CREATE TABLE coordinators (
    id           uuid PRIMARY KEY,
    heartbeat_at timestamptz NOT NULL
);

-- A peer's node as its coordinator last saw it; a peer that reconnected elsewhere has a row per coordinator.
CREATE TABLE peers (
    id             uuid        NOT NULL,
    coordinator_id uuid        NOT NULL REFERENCES coordinators (id) ON DELETE CASCADE,
    updated_at     timestamptz NOT NULL,
    -- serialized coder.tailnet.v2.Node
    node           bytea       NOT NULL,
    status         peer_status NOT NULL DEFAULT 'ok',
    PRIMARY KEY (id, coordinator_id)
);
CREATE INDEX peers_coordinator_id ON peers (coordinator_id);

-- No foreign keys on src_id/dst_id: tunnels and peers are written in no guaranteed order.
CREATE TABLE tunnels (
    coordinator_id uuid        NOT NULL REFERENCES coordinators (id) ON DELETE CASCADE,
    src_id         uuid        NOT NULL,
    dst_id         uuid        NOT NULL,
    updated_at     timestamptz NOT NULL,
    PRIMARY KEY (coordinator_id, src_id, dst_id)
);
CREATE INDEX tunnels_src_id ON tunnels (src_id);
CREATE INDEX tunnels_dst_id ON tunnels (dst_id);
