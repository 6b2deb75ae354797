package dev.switchboard.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HexFormat;

/**
 * The recorded Tailscale sessions and NaCl answers in {@code src/test/resources/vectors/derp-known-answers.json}
 * (a copy of the project's shared vectors, kept with the tests so the repository is self-contained).
 */
public final class KnownAnswers {
    private static final JsonNode ROOT = load();

    private KnownAnswers() {
    }

    private static JsonNode load() {
        try (InputStream in = KnownAnswers.class.getResourceAsStream("/vectors/derp-known-answers.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode root() {
        return ROOT;
    }

    public static JsonNode session(String name) {
        return ROOT.get(name);
    }

    /** All chunks of one direction ({@code c2s} or {@code s2c}) of a session, concatenated in order. */
    public static Buffer stream(String session, String direction) {
        Buffer out = Buffer.buffer();
        for (JsonNode chunk : session(session).get("chunks")) {
            if (chunk.get("dir").asText().equals(direction)) {
                out.appendBytes(hex(chunk.get("hex").asText()));
            }
        }
        return out;
    }

    public static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }
}
