package dev.switchboard.ops;

import dev.switchboard.auth.ResumeTokens;
import dev.switchboard.auth.Role;
import dev.switchboard.auth.TokenService;
import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.server.DerpServerOptions;
import dev.switchboard.testing.TestClient;
import dev.switchboard.testing.TestRelay;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With every logger at ALL, flows that handle secrets leave none of them in any log record. */
@QuarkusTest
class NoSecretsInLogsTest {
    @Inject
    TokenService tokens;

    @Inject
    ResumeTokens resumeTokens;

    @Test
    void meshKeysPrivateKeysAndTokensNeverReachTheLogs() throws Exception {
        List<String> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(String.valueOf(record.getMessage()) + " " + java.util.Arrays.toString(record.getParameters()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        Logger ours = Logger.getLogger("dev.switchboard");
        Level previous = ours.getLevel();
        ours.setLevel(Level.ALL);
        root.addHandler(capture);
        byte[] meshKey = new byte[32];
        new SecureRandom().nextBytes(meshKey);
        String token = tokens.mint(UUID.randomUUID(), Role.ADMIN, List.of(), Duration.ofMinutes(5));
        NodePrivateKey clientKey = NodePrivateKey.generate();
        String resume;
        try (TestRelay relay = TestRelay.start(DerpServerOptions.defaults().withMeshKey(meshKey));
             TestClient mesh = relay.connect(relay.options(clientKey).withMeshKey(meshKey))) {
            mesh.client().watchConns();
            TestRelay.await(mesh.client().ping());
            byte[] wrong = meshKey.clone();
            wrong[0] ^= 1;
            TestClient impostor = relay.connect(relay.options(NodePrivateKey.generate()).withMeshKey(wrong));
            impostor.client().watchConns();
            TestRelay.await(impostor.client().closeFuture());
            given().header("Coder-Session-Token", token + "x").get("/api/v2/tailnet?version=2.0").then().statusCode(401);
            given().header("Authorization", "Bearer " + token).get("/api/v2/debug/coordinator").then().statusCode(200);
            resume = resumeTokens.issue(UUID.randomUUID()).token();
            given().header("Coder-Session-Token", token).get("/api/v2/tailnet?version=2.0&resume_token=" + resume + "x")
                    .then().statusCode(401);
        } finally {
            root.removeHandler(capture);
            ours.setLevel(previous);
        }
        assertTrue(logged.size() > 0, "the flows logged something");
        String all = String.join("\n", logged);
        assertFalse(all.contains(HexFormat.of().formatHex(meshKey)), "mesh key logged");
        assertFalse(all.contains(clientKey.toText().substring(8)), "private key logged");
        assertFalse(all.contains(token), "session token logged");
        assertFalse(all.contains(resume), "resume token logged");
    }
}
