package dev.switchboard.derpmap;

import dev.switchboard.config.ConfigException;
import dev.switchboard.config.ConfigOptions;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where an external DERP map comes from: CODER_DERP_CONFIG_PATH or CODER_DERP_CONFIG_URL (never both), or nowhere.
 * {@link #load()} blocks: call it off the event loop.
 */
public sealed interface DerpMapSource {
    int MAX_MAP_BYTES = 4 << 20;

    /** The raw JSON now, or empty when there is no external map. */
    Optional<String> load() throws IOException;

    /** The path or URL, for messages. */
    String describe();

    static DerpMapSource of(Optional<Path> path, Optional<String> url) {
        if (path.isPresent() && url.isPresent()) {
            throw new ConfigException("CODER_DERP_CONFIG_URL", url.get(),
                    "a remote URL or local path must be specified, not both");
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
    }

    record File(Path path) implements DerpMapSource {
        @Override
        public Optional<String> load() throws IOException {
            if (Files.size(path) > MAX_MAP_BYTES) {
                throw new IOException(path + " is larger than " + MAX_MAP_BYTES + " bytes");
            }
            return Optional.of(Files.readString(path));
        }

        @Override
        public String describe() {
            return path.toString();
        }
    }

    record Url(URI uri) implements DerpMapSource {
        private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build();

        @Override
        public Optional<String> load() throws IOException {
            try {
                HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                        .GET().build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    throw new IOException("GET " + uri + " answered " + response.statusCode());
                }
                if (response.body().length() > MAX_MAP_BYTES) {
                    throw new IOException("GET " + uri + " returned more than " + MAX_MAP_BYTES + " bytes");
                }
                return Optional.of(response.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while fetching " + uri, e);
            }
        }

        @Override
        public String describe() {
            return uri.toString();
        }
    }
}
