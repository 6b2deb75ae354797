package dev.switchboard.auth;

import dev.switchboard.config.ConfigException;
import dev.switchboard.config.SwitchboardConfig;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.build.Jwt;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Session tokens: ES256 JWTs with {@code sub}, {@code role}, {@code agents} and {@code exp}, verified with SmallRye
 * JWT against CODER_AUTH_PUBLIC_KEY_FILE or CODER_AUTH_JWKS_URL. With neither set, Switchboard generates its own
 * signing key in the data directory, verifies with it, and {@code switchboard token create} mints tokens.
 * Verification may fetch a JWKS: call it off the event loop.
 */
@ApplicationScoped
public class TokenService {
    /**
     * Under CODER_CONFIG_DIR unless CODER_AUTH_SIGNING_KEY_FILE names another file (a mounted Secret, so a rescheduled
     * pod keeps verifying the tokens it minted); {@code switchboard token create} reads it without booting the server.
     */
    public static final String SIGNING_KEY_FILE = "auth/token-signing-key.pem";

    private final DefaultJWTParser parser;
    private final Optional<KeyPair> signingKey;

    public TokenService(SwitchboardConfig config) {
        SwitchboardConfig.Auth auth = config.auth();
        JWTAuthContextInfo info = new JWTAuthContextInfo();
        info.setSignatureAlgorithm(Set.of(SignatureAlgorithm.ES256, SignatureAlgorithm.RS256, SignatureAlgorithm.EDDSA));
        info.setRequiredClaims(Set.of("sub", "exp"));
        // RFC 7519 §4.1.6: iat is optional. SmallRye requires it unless the lifetime check is off (a TTL ≤ 0).
        info.setMaxTimeToLiveSecs(0L);
        // Both skews: SmallRye uses the grace period for exp and the clock skew for nbf/iat; 0 means none.
        int skew = Math.toIntExact(auth.clockSkew().toSeconds());
        info.setClockSkew(skew);
        info.setExpGracePeriodSecs(skew);
        auth.issuer().ifPresent(info::setIssuedBy);
        auth.audience().ifPresent(audience -> info.setExpectedAudience(Set.of(audience)));
        if (auth.publicKeyFile().isPresent() && auth.jwksUrl().isPresent()) {
            throw new ConfigException("CODER_AUTH_JWKS_URL", auth.jwksUrl().get(),
                    "either CODER_AUTH_PUBLIC_KEY_FILE or CODER_AUTH_JWKS_URL, not both");
        }
        if (auth.publicKeyFile().isPresent()) {
            Path file = auth.publicKeyFile().get();
            try {
                info.setPublicVerificationKey(KeyFiles.readPublicKey(Files.readString(file)));
            } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
                throw new ConfigException("CODER_AUTH_PUBLIC_KEY_FILE", file.toString(), "a PEM public key file");
            }
            signingKey = Optional.empty();
        } else if (auth.jwksUrl().isPresent()) {
            info.setPublicKeyLocation(auth.jwksUrl().get());
            signingKey = Optional.empty();
        } else {
            KeyPair pair = KeyFiles.loadOrCreateSigningKey(
                    auth.signingKeyFile().orElse(config.configDir().resolve(SIGNING_KEY_FILE)));
            info.setPublicVerificationKey(pair.getPublic());
            signingKey = Optional.of(pair);
        }
        parser = new DefaultJWTParser(info);
    }

    /** Verifies signature, expiry (with CODER_AUTH_CLOCK_SKEW), issuer and audience when required, and claims. */
    public Principal verify(String token) throws AuthenticationException {
        JsonWebToken jwt;
        try {
            jwt = parser.parse(token);
        } catch (ParseException e) {
            throw new AuthenticationException(TokenRejection.of(e));
        }
        try {
            Role role = Role.fromClaim(jwt.getClaim("role"));
            Set<UUID> agents = new HashSet<>();
            Object claim = jwt.getClaim("agents");
            if (claim instanceof Collection<?> list) {
                for (Object agent : list) {
                    agents.add(UUID.fromString(String.valueOf(agent).replace("\"", "")));
                }
            }
            return new Principal(UUID.fromString(jwt.getSubject()), role, Set.copyOf(agents),
                    Instant.ofEpochSecond(jwt.getExpirationTime()));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new AuthenticationException(TokenRejection.INVALID_CLAIMS);
        }
    }

    /** Mints a token with the generated signing key (zero-configuration mode only). */
    public String mint(UUID subject, Role role, List<UUID> agents, Duration lifetime) {
        KeyPair key = signingKey.orElseThrow(() -> new IllegalStateException(
                "tokens are verified with an external key here; the platform that owns that key mints them"));
        return mint(key, subject, role, agents, lifetime);
    }

    /** The one token layout, shared with the CLI, which mints without a running server. */
    public static String mint(KeyPair key, UUID subject, Role role, List<UUID> agents, Duration lifetime) {
        return Jwt.subject(subject.toString()).claim("role", role.claim())
                .claim("agents", agents.stream().map(UUID::toString).toList())
                .expiresIn(lifetime).jws().algorithm(SignatureAlgorithm.ES256).sign(key.getPrivate());
    }

    /** The public half of the generated key, for operators who want to verify elsewhere. */
    public Optional<String> generatedPublicKeyPem() {
        return signingKey.map(k -> KeyFiles.publicKeyPem(k.getPublic()));
    }
}
