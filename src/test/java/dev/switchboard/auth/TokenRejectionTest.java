package dev.switchboard.auth;

import dev.switchboard.config.SwitchboardConfig;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Each way a token is refused has its own reason; iat is optional; the clock skew is what is configured. */
class TokenRejectionTest {
    private static final UUID USER = UUID.randomUUID();
    private KeyPair platform;
    private Path pem;

    @BeforeEach
    void keys(@TempDir Path dir) throws Exception {
        platform = ecKey();
        pem = dir.resolve("platform.pub");
        Files.writeString(pem, KeyFiles.publicKeyPem(platform.getPublic()));
    }

    private TokenService service(Map<String, String> extra) {
        Map<String, String> values = new HashMap<>(Map.of("coder.auth.public-key-file", pem.toString(),
                "coder.config-dir", pem.getParent().toString()));
        values.putAll(extra);
        SwitchboardConfig config = new SmallRyeConfigBuilder().withMapping(SwitchboardConfig.class)
                .withConverter(java.time.Duration.class, 200, dev.switchboard.config.ConfigOptions::parseDuration)
                .withSources(new PropertiesConfigSource(values, "test", 300)).build()
                .getConfigMapping(SwitchboardConfig.class);
        return new TokenService(config);
    }

    private static KeyPair ecKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    /** A token signed with {@code key}: sub, role user, exp in 5 minutes, no iat unless {@code claims} adds it. */
    private static String token(KeyPair key, Consumer<JwtClaims> claims) throws Exception {
        JwtClaims body = new JwtClaims();
        body.setSubject(USER.toString());
        body.setClaim("role", "user");
        body.setExpirationTime(NumericDate.fromSeconds(now() + 300));
        claims.accept(body);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(body.toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
        jws.setKey(key.getPrivate());
        return jws.getCompactSerialization();
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    private static TokenRejection refused(TokenService tokens, String token) {
        return assertThrows(AuthenticationException.class, () -> tokens.verify(token)).reason();
    }

    @Test
    void issuedAtIsOptional() throws Exception {
        assertEquals(USER, service(Map.of()).verify(token(platform, c -> { })).subject());
    }

    @Test
    void expiryHonoursTheConfiguredSkewAndSaysSo() throws Exception {
        String expired20sAgo = token(platform, c -> c.setExpirationTime(NumericDate.fromSeconds(now() - 20)));
        assertEquals(USER, service(Map.of()).verify(expired20sAgo).subject(), "within the default 30 s skew");
        assertEquals(TokenRejection.EXPIRED, refused(service(Map.of("coder.auth.clock-skew", "5s")), expired20sAgo));
        String expiredLongAgo = token(platform, c -> c.setExpirationTime(NumericDate.fromSeconds(now() - 120)));
        assertEquals(TokenRejection.EXPIRED, refused(service(Map.of()), expiredLongAgo));
    }

    @Test
    void aTokenFromTheFutureIsNotYetValid() throws Exception {
        String later = token(platform, c -> c.setNotBefore(NumericDate.fromSeconds(now() + 120)));
        assertEquals(TokenRejection.NOT_YET_VALID, refused(service(Map.of()), later));
    }

    @Test
    void aForeignSignatureIsABadSignature() throws Exception {
        assertEquals(TokenRejection.BAD_SIGNATURE, refused(service(Map.of()), token(ecKey(), c -> { })));
    }

    @Test
    void issuerAndAudienceAreEnforcedWhenConfigured() throws Exception {
        TokenService strict = service(Map.of("coder.auth.issuer", "https://coder.example.com",
                "coder.auth.audience", "switchboard"));
        assertEquals(TokenRejection.WRONG_ISSUER, refused(strict, token(platform, c -> c.setAudience("switchboard"))));
        assertEquals(TokenRejection.WRONG_ISSUER, refused(strict, token(platform, c -> {
            c.setIssuer("https://evil.example.com");
            c.setAudience("switchboard");
        })));
        assertEquals(TokenRejection.WRONG_AUDIENCE, refused(strict, token(platform, c -> {
            c.setIssuer("https://coder.example.com");
            c.setAudience("someone-else");
        })));
        assertEquals(USER, strict.verify(token(platform, c -> {
            c.setIssuer("https://coder.example.com");
            c.setAudience("other", "switchboard");
        })).subject());
    }

    @Test
    void garbageIsMalformedAndBadClaimsAreInvalidClaims() throws Exception {
        TokenService tokens = service(Map.of());
        assertEquals(TokenRejection.MALFORMED, refused(tokens, "not.a.jwt"));
        assertEquals(TokenRejection.MALFORMED, refused(tokens, "eyJhbGciOiJub25lIn0.e30."));
        assertEquals(TokenRejection.INVALID_CLAIMS, refused(tokens, token(platform, c -> c.setSubject("not-a-uuid"))));
    }
}
