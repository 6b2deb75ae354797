package dev.switchboard.bench;

import dev.switchboard.auth.Role;
import dev.switchboard.auth.TokenService;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The coordinator fan-out bench against the real server: every client times every agent update once. */
@QuarkusTest
class CoordinatorLoadTest {
    @TestHTTPResource("/")
    URL root;

    @Inject
    TokenService tokens;

    @Inject
    Vertx vertx;

    @Test
    void everyClientRecordsEveryRound() throws Exception {
        LatencyStats stats = new CoordinatorLoad(vertx, URI.create("http://127.0.0.1:" + root.getPort()), 3, 2)
                .run(UUID.randomUUID(), (agentId, isAgent) -> isAgent
                        ? tokens.mint(agentId, Role.AGENT, List.of(), Duration.ofHours(1))
                        : tokens.mint(UUID.randomUUID(), Role.USER, List.of(agentId), Duration.ofHours(1)));
        assertEquals(6, stats.count());
        assertTrue(stats.p50Nanos() > 0 && stats.p50Nanos() <= stats.maxNanos());
    }
}
