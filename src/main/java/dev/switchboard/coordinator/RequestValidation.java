package dev.switchboard.coordinator;

import dev.switchboard.coordinator.proto.CoordinateRequest;

/** Step 1 of request handling (newest coder/coder tailnet/coordinator.go): malformed requests end the stream unapplied. */
final class RequestValidation {
    private RequestValidation() {
    }

    static void validate(CoordinateRequest request) throws CoordinationException {
        if (request.hasUpdateSelf() && !request.getUpdateSelf().hasNode()) {
            throw new CoordinationException("update_self node is required");
        }
        if (request.hasAddTunnel() && Uuids.uuid(request.getAddTunnel().getId()) == null) {
            throw new CoordinationException("add_tunnel id must be a 16-byte UUID");
        }
        if (request.hasRemoveTunnel() && Uuids.uuid(request.getRemoveTunnel().getId()) == null) {
            throw new CoordinationException("remove_tunnel id must be a 16-byte UUID");
        }
        for (CoordinateRequest.ReadyForHandshake rfh : request.getReadyForHandshakeList()) {
            if (Uuids.uuid(rfh.getId()) == null) {
                throw new CoordinationException("ready_for_handshake id must be a 16-byte UUID");
            }
        }
    }
}
