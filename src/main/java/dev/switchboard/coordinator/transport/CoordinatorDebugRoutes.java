package dev.switchboard.coordinator.transport;

import com.google.protobuf.TextFormat;
import dev.switchboard.http.ApiError;
import dev.switchboard.auth.BearerAuthenticator;
import dev.switchboard.auth.Principal;
import dev.switchboard.auth.Role;
import dev.switchboard.coordinator.Coordinator;
import dev.switchboard.coordinator.CoordinatorService;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** {@code GET /api/v2/debug/coordinator} (admins): peers and tunnels as HTML, or JSON with Accept: application/json. */
@ApplicationScoped
public class CoordinatorDebugRoutes {
    private final BearerAuthenticator auth;
    private final CoordinatorService coordinators;
    private final Template page;

    public CoordinatorDebugRoutes(BearerAuthenticator auth, CoordinatorService coordinators,
                                  @Location("coordinator_debug.html") Template page) {
        this.auth = auth;
        this.coordinators = coordinators;
        this.page = page;
    }

    /** One peer row, ages as Go-style durations. */
    @RegisterForReflection
    public record PeerRow(String name, String id, String createdAge, String lastWriteAge, int overwrites,
                          String node) {
    }

    @RegisterForReflection
    public record TunnelRow(String src, String dst) {
    }

    void install(@Observes Router router) {
        router.get("/api/v2/debug/coordinator").handler(rc -> auth.authenticate(rc, p -> render(rc, p)));
    }

    private void render(RoutingContext rc, Principal principal) {
        if (principal.role() != Role.ADMIN) {
            ApiError.of(403, "Forbidden.", "The coordinator debug page is for administrators.").send(rc.response());
            return;
        }
        Coordinator.Snapshot snapshot = coordinators.coordinator().snapshot();
        Instant now = Instant.now();
        List<PeerRow> peers = snapshot.peers().stream().map(p -> new PeerRow(p.name(), p.id().toString(),
                age(p.created(), now), age(p.lastWrite(), now), p.overwrites(),
                p.node() == null ? "" : TextFormat.shortDebugString(p.node()))).toList();
        List<TunnelRow> tunnels = snapshot.tunnels().stream()
                .map(t -> new TunnelRow(t.src().toString(), t.dst().toString())).toList();
        String accept = rc.request().getHeader(HttpHeaders.ACCEPT);
        if (accept != null && accept.contains("application/json")) {
            JsonArray peerJson = new JsonArray();
            peers.forEach(p -> peerJson.add(JsonObject.mapFrom(p)));
            JsonArray tunnelJson = new JsonArray();
            tunnels.forEach(t -> tunnelJson.add(JsonObject.mapFrom(t)));
            rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(new JsonObject().put("peers", peerJson).put("tunnels", tunnelJson).encode());
            return;
        }
        rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
                .end(page.data("peers", peers).data("tunnels", tunnels).render());
    }

    private static String age(Instant since, Instant now) {
        Duration age = Duration.between(since, now);
        return age.toSeconds() + "." + String.format("%03d", age.toMillisPart()) + "s";
    }
}
