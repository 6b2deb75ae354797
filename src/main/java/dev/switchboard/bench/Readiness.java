package dev.switchboard.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** A server's readiness checks as its management listener reports them ({@code GET /q/health/ready}). */
public final class Readiness {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Readiness() {
    }

    /** The check called {@code name}, if the server reports one. */
    public static Optional<JsonObject> check(URI management, String name) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(management.resolve("/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        JsonArray checks = new JsonObject(response.body()).getJsonArray("checks");
        for (int i = 0; i < checks.size(); i++) {
            if (name.equals(checks.getJsonObject(i).getString("name"))) {
                return Optional.of(checks.getJsonObject(i));
            }
        }
        return Optional.empty();
    }

    /** Sibling relays this replica's DERP mesh is connected to; -1 without a database check. */
    public static int meshPeersConnected(URI management) throws Exception {
        return check(management, "database").map(c -> c.getJsonObject("data").getInteger("meshPeersConnected", -1))
                .orElse(-1);
    }

    /** Whether the replica's database check is UP. */
    public static boolean databaseUp(URI management) throws Exception {
        return check(management, "database").map(c -> "UP".equals(c.getString("status"))).orElse(false);
    }
}
