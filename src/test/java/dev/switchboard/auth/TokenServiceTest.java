package dev.switchboard.auth;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.testing.TestRelay;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Production verification: tokens signed by the platform, verified with a public key file or a JWKS URL. */
class TokenServiceTest {

    private static SwitchboardConfig config(Map<String, String> values) {
        // Quarkus adds the Go-style duration converter ("5m"); a bare SmallRye config needs it given.
        return new SmallRyeConfigBuilder().withMapping(SwitchboardConfig.class)
                .withConverter(java.time.Duration.class, 200, dev.switchboard.config.ConfigOptions::parseDuration)
                .withSources(new PropertiesConfigSource(values, "test", 300)).build()
                .getConfigMapping(SwitchboardConfig.class);
    }

    private static KeyPair ecKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static String platformToken(KeyPair key, String keyId, UUID subject, Role role, List<String> agents) {
        var builder = Jwt.subject(subject.toString()).claim("role", role.claim()).claim("agents", agents)
                .expiresIn(300).jws().algorithm(SignatureAlgorithm.ES256);
        return (keyId == null ? builder : builder.keyId(keyId)).sign(key.getPrivate());
    }

    /**
     * A mounted signing key (CODER_AUTH_SIGNING_KEY_FILE): a second server, as after a pod reschedule, verifies the
     * first one's tokens, and nothing is generated in the config dir.
     */
    @Test
    void signingKeyFileIsUsedInsteadOfTheConfigDir(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("secret/token-signing-key.pem");
        KeyFiles.createSigningKey(key);
        Map<String, String> values = Map.of("coder.auth.signing-key-file", key.toString(),
                "coder.config-dir", dir.resolve("config").toString());
        UUID subject = UUID.randomUUID();
        String token = new TokenService(config(values))
                .mint(subject, Role.AGENT, List.of(), java.time.Duration.ofMinutes(5));
        assertEquals(subject, new TokenService(config(values)).verify(token).subject());
        assertFalse(Files.exists(dir.resolve("config").resolve(TokenService.SIGNING_KEY_FILE)),
                "no key generated in the config dir");
    }

    @Test
    void publicKeyFileVerifiesPlatformTokensAndRefusesMinting(@TempDir Path dir) throws Exception {
        KeyPair platform = ecKey();
        Path pem = dir.resolve("platform.pub");
        Files.writeString(pem, KeyFiles.publicKeyPem(platform.getPublic()));
        TokenService tokens = new TokenService(config(Map.of("coder.auth.public-key-file", pem.toString(),
                "coder.config-dir", dir.toString())));

        UUID user = UUID.randomUUID();
        UUID agent = UUID.randomUUID();
        Principal principal = tokens.verify(platformToken(platform, null, user, Role.USER, List.of(agent.toString())));
        assertEquals(user, principal.subject());
        assertEquals(Set.of(agent), principal.agents());
        assertTrue(principal.mayReach(agent));

        assertThrows(AuthenticationException.class,
                () -> tokens.verify(platformToken(ecKey(), null, user, Role.USER, List.of())));
        assertThrows(IllegalStateException.class,
                () -> tokens.mint(user, Role.USER, List.of(), java.time.Duration.ofMinutes(1)));
        assertTrue(Files.notExists(dir.resolve(TokenService.SIGNING_KEY_FILE)), "no key generated in this mode");
    }

    @Test
    void jwksUrlVerifiesPlatformTokens(@TempDir Path dir) throws Exception {
        KeyPair platform = ecKey();
        EllipticCurveJsonWebKey jwk = new EllipticCurveJsonWebKey((ECPublicKey) platform.getPublic());
        jwk.setKeyId("platform-1");
        jwk.setAlgorithm("ES256");
        String jwks = new JsonWebKeySet(jwk).toJson();
        Vertx vertx = Vertx.vertx();
        try {
            HttpServer server = TestRelay.await(vertx.createHttpServer()
                    .requestHandler(r -> r.response().putHeader("Content-Type", "application/json").end(jwks))
                    .listen(0, "127.0.0.1"));
            TokenService tokens = new TokenService(config(Map.of(
                    "coder.auth.jwks-url", "http://127.0.0.1:" + server.actualPort() + "/jwks.json",
                    "coder.config-dir", dir.toString())));
            UUID agent = UUID.randomUUID();
            Principal principal = tokens.verify(platformToken(platform, "platform-1", agent, Role.AGENT, List.of()));
            assertEquals(Role.AGENT, principal.role());
            assertEquals(agent, principal.subject());
            assertEquals(TokenRejection.BAD_SIGNATURE, assertThrows(AuthenticationException.class,
                    () -> tokens.verify(platformToken(ecKey(), "platform-1", agent, Role.AGENT, List.of()))).reason());
            assertEquals(TokenRejection.UNKNOWN_KEY, assertThrows(AuthenticationException.class,
                    () -> tokens.verify(platformToken(ecKey(), "rotated-away", agent, Role.AGENT, List.of()))).reason());
        } finally {
            TestRelay.await(vertx.close());
        }
    }

    @Test
    void bothSourcesAtOnceIsAConfigurationError(@TempDir Path dir) {
        var e = assertThrows(RuntimeException.class, () -> new TokenService(config(Map.of(
                "coder.auth.public-key-file", dir.resolve("k.pub").toString(),
                "coder.auth.jwks-url", "http://127.0.0.1:1/jwks", "coder.config-dir", dir.toString()))));
        assertTrue(e.getMessage().contains("CODER_AUTH_JWKS_URL"), e.getMessage());
    }
}
