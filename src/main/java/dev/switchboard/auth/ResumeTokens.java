package dev.switchboard.auth;

import dev.switchboard.config.SwitchboardConfig;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.build.Jwt;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.jwt.JsonWebToken;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * Tailnet resume tokens (Coder's `tailnet/resume.go`): HS256 JWTs bound to a peer ID, valid 24 h, to be refreshed at
 * half-life. A client that reconnects with one keeps its peer ID, so its tunnel peers see an overwrite, not churn.
 * The HMAC key lives in the data directory (0600).
 */
@ApplicationScoped
public class ResumeTokens {
    public static final Duration LIFETIME = Duration.ofHours(24);
    static final String KEY_FILE = "auth/resume-token.key";
    private static final String PURPOSE = "tailnet_resume";

    private final SecretKey key;
    private final DefaultJWTParser parser;
    private final Clock clock;

    @Inject
    public ResumeTokens(SwitchboardConfig config) {
        this(KeyFiles.loadOrCreateSecret(config.configDir().resolve(KEY_FILE)), Clock.systemUTC());
    }

    ResumeTokens(byte[] secret, Clock clock) {
        this.key = new SecretKeySpec(secret, "HmacSHA256");
        this.clock = clock;
        JWTAuthContextInfo info = new JWTAuthContextInfo();
        info.setSecretVerificationKey(key);
        info.setSignatureAlgorithm(Set.of(SignatureAlgorithm.HS256));
        info.setRequiredClaims(Set.of("sub", "exp", "purpose"));
        parser = new DefaultJWTParser(info);
    }

    /** A token for {@code peerId}, with when to refresh it and when it expires. */
    public record Issued(String token, Duration refreshIn, Instant expiresAt) {
    }

    public Issued issue(UUID peerId) {
        Instant expires = clock.instant().plus(LIFETIME);
        String token = Jwt.subject(peerId.toString()).claim("purpose", PURPOSE).issuedAt(clock.instant())
                .expiresAt(expires).jws().keyId(PURPOSE).algorithm(SignatureAlgorithm.HS256).sign(key);
        return new Issued(token, LIFETIME.dividedBy(2), expires);
    }

    /** The peer ID a valid token was issued for. */
    public UUID verify(String token) throws AuthenticationException {
        try {
            JsonWebToken jwt = parser.parse(token);
            if (!PURPOSE.equals(jwt.getClaim("purpose"))) {
                throw new AuthenticationException(TokenRejection.INVALID_RESUME_TOKEN);
            }
            return UUID.fromString(jwt.getSubject());
        } catch (ParseException | IllegalArgumentException e) {
            throw new AuthenticationException(TokenRejection.INVALID_RESUME_TOKEN);
        }
    }
}
