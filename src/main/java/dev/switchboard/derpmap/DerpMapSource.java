package dev.switchboard.derpmap;

import dev.switchboard.config.ConfigException;
import dev.switchboard.config.ConfigOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where an external DERP map comes from: CODER_DERP_CONFIG_PATH or CODER_DERP_CONFIG_URL (never both), or nowhere.
 * {@link #load()} blocks: call it off the event loop. Its failures say what went wrong without repeating the path or
 * URL, which the caller's message names ({@link #atStartup}, or the refresh log line).
 */
public sealed interface DerpMapSource {
    int MAX_MAP_BYTES = 4 << 20;

    /** The raw JSON now, or empty when there is no external map. */
    Optional<String> load() throws IOException;

    /** The path or URL, for messages. */
    String describe();

    /** The environment variable that names this source; empty for {@link None}. */
    String variable();

    /** A start-up step that reads this source. */
    @FunctionalInterface
    interface Step<T> {
        T run() throws IOException;
    }

    /**
     * Runs the start-up load-and-build of the external map: a failure to read it, or a map that cannot be served,
     * stops start-up with one line naming the variable, its value and the reason (the exception alone would print
     * only a path, or {@code null} for a refused connection).
     */
    default <T> T atStartup(Step<T> step) {
        try {
            return step.run();
        } catch (IOException | UncheckedIOException | InvalidDerpMapException e) {
            if (this instanceof None) {
                throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
            }
            String value = this instanceof Url ? ConfigException.redactUrl(describe()) : describe();
            throw ConfigException.unusable(variable(), value, reason(e));
        }
    }

    /** What went wrong, for a message that already names the path or URL. */
    static String reason(Throwable e) {
        Throwable cause = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof NoSuchFileException) {
            return "no such file";
        }
        if (cause instanceof AccessDeniedException) {
            return "permission denied";
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return cause.getClass().getSimpleName();
    }

    static DerpMapSource of(Optional<Path> path, Optional<String> url) {
        if (path.isPresent() && url.isPresent()) {
            // The reason in Coder's words, in one sentence that names both settings and their values.
            throw ConfigException.conflict("CODER_DERP_CONFIG_PATH", path.get().toString(), "CODER_DERP_CONFIG_URL",
                    ConfigException.redactUrl(url.get()), "a remote URL or local path must be specified, not both");
        }
        if (path.isPresent()) {
            return new File(path.get());
        }
        return url.<DerpMapSource>map(u -> new Url(parse(u))).orElse(new None());
    }

    private static URI parse(String url) {
        ConfigOptions.named("CODER_DERP_CONFIG_URL").validate(url);
        return URI.create(url.strip());
    }

    record None() implements DerpMapSource {
        @Override
        public Optional<String> load() {
            return Optional.empty();
        }

        @Override
        public String describe() {
            return "";
        }

        @Override
        public String variable() {
            return "";
        }
    }

    record File(Path path) implements DerpMapSource {
        @Override
        public Optional<String> load() throws IOException {
            try {
                if (Files.size(path) > MAX_MAP_BYTES) {
                    throw new IOException("larger than " + MAX_MAP_BYTES + " bytes");
                }
                return Optional.of(Files.readString(path));
            } catch (NoSuchFileException e) {
                throw new IOException("no such file", e);
            } catch (AccessDeniedException e) {
                throw new IOException("permission denied", e);
            }
        }

        @Override
        public String describe() {
            return path.toString();
        }

        @Override
        public String variable() {
            return "CODER_DERP_CONFIG_PATH";
        }
    }

    record Url(URI uri) implements DerpMapSource {
        private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build();

        @Override
        public Optional<String> load() throws IOException {
            try {
                HttpResponse<String> response = send();
                if (response.statusCode() != 200) {
                    throw new IOException("GET answered HTTP " + response.statusCode());
                }
                if (response.body().length() > MAX_MAP_BYTES) {
                    throw new IOException("GET returned more than " + MAX_MAP_BYTES + " bytes");
                }
                return Optional.of(response.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("GET interrupted", e);
            }
        }

        /** The request; java.net.http failures often carry no message (a refused connection: none at all). */
        private HttpResponse<String> send() throws IOException, InterruptedException {
            try {
                return CLIENT.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (HttpTimeoutException e) {
                throw new IOException("GET timed out", e);
            } catch (ConnectException e) {
                throw new IOException("cannot connect to " + uri.getHost() + (uri.getPort() < 0 ? "" : ":"
                        + uri.getPort()) + ": " + connectFailure(e), e);
            } catch (IOException e) {
                throw new IOException("GET failed: " + reason(e), e);
            }
        }

        /** HttpClient's ConnectException has no message when refused, and wraps an unknown host without one. */
        private static String connectFailure(ConnectException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof java.nio.channels.UnresolvedAddressException || t instanceof java.net.UnknownHostException) {
                    return "unknown host";
                }
            }
            String reason = reason(e);
            return reason.equals(ConnectException.class.getSimpleName()) ? "connection refused" : reason;
        }

        @Override
        public String describe() {
            return uri.toString();
        }

        @Override
        public String variable() {
            return "CODER_DERP_CONFIG_URL";
        }
    }
}
