package dev.switchboard.coordinator.client;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * How a {@link CoordinatorClient} connects and retries. Defaults follow Coder's client (`tailnet/controllers.go`):
 * backoff 50 ms doubling to 10 s with jitter, reset after each successful connection; graceful disconnect waits 1 s
 * for the server to hang up.
 *
 * @param server            {@code http(s)://host[:port]} of the Switchboard server
 * @param token             session or agent token, sent as {@code Coder-Session-Token}
 * @param target            which coordinate endpoint (and so which role) to use
 * @param version           tailnet API version sent as {@code ?version=} (the server speaks 2.x)
 * @param initialBackoff    delay before the first redial after a loss
 * @param maxBackoff        the delay never grows past this (before jitter)
 * @param jitter            each delay is scaled by a random factor in [1 - jitter, 1 + jitter]; 0 disables
 * @param maxAttempts       consecutive failed dials before giving up; 0 retries until {@link CoordinatorClient#close()}
 * @param sendQueueLimit    requests accepted but not yet written; beyond it sends are refused (false)
 * @param disconnectTimeout how long a graceful disconnect waits for the server to hang up before closing itself
 * @param connectTimeout    TCP connect and upgrade budget for one dial
 * @param trustAll          accept any TLS certificate (tests, self-signed development servers)
 * @param resumeToken       a token from an earlier process to present on the first dial (client targets only)
 */
public record CoordinatorClientOptions(URI server, String token, Target target, String version,
                                       Duration initialBackoff, Duration maxBackoff, double jitter, int maxAttempts,
                                       int sendQueueLimit, Duration disconnectTimeout, Duration connectTimeout,
                                       boolean trustAll, Optional<String> resumeToken) {
    public CoordinatorClientOptions {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(target, "target");
        if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("backoff must satisfy 0 < initial <= max");
        }
        if (jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("jitter must be in [0, 1)");
        }
        if (sendQueueLimit < 1 || maxAttempts < 0) {
            throw new IllegalArgumentException("sendQueueLimit must be >= 1 and maxAttempts >= 0");
        }
    }

    /** The coordinate endpoint, exactly as the server routes it (coder/coder `coderd/workspaceagents.go`). */
    public record Target(String path, boolean resumable) {
        /** A workspace agent: {@code /api/v2/workspaceagents/me/coordinate}; its peer ID is its own, never resumed. */
        public static Target agent() {
            return new Target("/api/v2/workspaceagents/me/coordinate", false);
        }

        /** A client bound to one agent (CLI, IDE): {@code /api/v2/workspaceagents/{agent}/coordinate}. */
        public static Target agentClient(UUID agentId) {
            return new Target("/api/v2/workspaceagents/" + agentId + "/coordinate", true);
        }

        /** A user-scoped client (Coder Connect): {@code /api/v2/tailnet}. */
        public static Target userClient() {
            return new Target("/api/v2/tailnet", true);
        }
    }

    public static CoordinatorClientOptions of(URI server, String token, Target target) {
        return new CoordinatorClientOptions(server, token, target, "2.0", Duration.ofMillis(50), Duration.ofSeconds(10),
                0.2, 0, 1024, Duration.ofSeconds(1), Duration.ofSeconds(10), false, Optional.empty());
    }

    public CoordinatorClientOptions withVersion(String v) {
        return new CoordinatorClientOptions(server, token, target, v, initialBackoff, maxBackoff, jitter, maxAttempts,
                sendQueueLimit, disconnectTimeout, connectTimeout, trustAll, resumeToken);
    }

    public CoordinatorClientOptions withBackoff(Duration initial, Duration max, double jitterFraction) {
        return new CoordinatorClientOptions(server, token, target, version, initial, max, jitterFraction, maxAttempts,
                sendQueueLimit, disconnectTimeout, connectTimeout, trustAll, resumeToken);
    }

    public CoordinatorClientOptions withMaxAttempts(int attempts) {
        return new CoordinatorClientOptions(server, token, target, version, initialBackoff, maxBackoff, jitter, attempts,
                sendQueueLimit, disconnectTimeout, connectTimeout, trustAll, resumeToken);
    }

    public CoordinatorClientOptions withSendQueueLimit(int limit) {
        return new CoordinatorClientOptions(server, token, target, version, initialBackoff, maxBackoff, jitter,
                maxAttempts, limit, disconnectTimeout, connectTimeout, trustAll, resumeToken);
    }

    public CoordinatorClientOptions withDisconnectTimeout(Duration timeout) {
        return new CoordinatorClientOptions(server, token, target, version, initialBackoff, maxBackoff, jitter,
                maxAttempts, sendQueueLimit, timeout, connectTimeout, trustAll, resumeToken);
    }

    public CoordinatorClientOptions withConnectTimeout(Duration timeout) {
        return new CoordinatorClientOptions(server, token, target, version, initialBackoff, maxBackoff, jitter,
                maxAttempts, sendQueueLimit, disconnectTimeout, timeout, trustAll, resumeToken);
    }

    public CoordinatorClientOptions withTrustAll(boolean trust) {
        return new CoordinatorClientOptions(server, token, target, version, initialBackoff, maxBackoff, jitter,
                maxAttempts, sendQueueLimit, disconnectTimeout, connectTimeout, trust, resumeToken);
    }

    public CoordinatorClientOptions withResumeToken(String resume) {
        return new CoordinatorClientOptions(server, token, target, version, initialBackoff, maxBackoff, jitter,
                maxAttempts, sendQueueLimit, disconnectTimeout, connectTimeout, trustAll, Optional.of(resume));
    }

    boolean tls() {
        return "https".equalsIgnoreCase(server.getScheme()) || "wss".equalsIgnoreCase(server.getScheme());
    }

    int port() {
        return server.getPort() > 0 ? server.getPort() : tls() ? 443 : 80;
    }
}
