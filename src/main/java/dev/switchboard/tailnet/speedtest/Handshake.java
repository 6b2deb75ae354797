package dev.switchboard.tailnet.speedtest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The JSON lines before the data (Tailscale {@code net/speedtest/speedtest.go}): the client's {@code config}
 * {@code {"version":2,"time":<ns>,"direction":0|1}} and the server's {@code configResponse}, {@code {}} or
 * {@code {"error":"…"}}, each as Go's {@code json.Encoder} writes it, ending in a newline.
 */
final class Handshake {
    /** {@code version}: client and server must agree. */
    static final int VERSION = 2;
    /** A line longer than this is no speedtest client; a config is about 50 bytes. */
    static final int MAX_LINE = 4096;

    /** The first line and whatever arrived after it in the same buffers. */
    record Line(String text, Buffer rest) {
    }

    /** The client's request. */
    record Config(int version, Duration duration, Direction direction) {
        Buffer encode() {
            return Buffer.buffer(new JsonObject().put("version", version).put("time", duration.toNanos())
                    .put("direction", direction.ordinal()).encode() + "\n");
        }

        /** Parses a config line; throws {@link IllegalArgumentException} with what was wrong. */
        static Config parse(String line) {
            try {
                JsonObject json = new JsonObject(line);
                int direction = json.getInteger("direction", 0);
                if (direction < 0 || direction >= Direction.values().length) {
                    throw new IllegalArgumentException("unknown direction " + direction);
                }
                return new Config(json.getInteger("version", 0), Duration.ofNanos(json.getLong("time", 0L)),
                        Direction.values()[direction]);
            } catch (DecodeException | ClassCastException e) {
                throw new IllegalArgumentException("invalid speedtest config: " + e.getMessage());
            }
        }
    }

    private Handshake() {
    }

    static Buffer response(String error) {
        JsonObject json = new JsonObject();
        if (!error.isEmpty()) {
            json.put("error", error); // omitempty: success is {}
        }
        return Buffer.buffer(json.encode() + "\n");
    }

    /** The error a response line carries, empty for success; throws on a line that is not a response. */
    static String responseError(String line) {
        try {
            return new JsonObject(line).getString("error", "");
        } catch (DecodeException | ClassCastException e) {
            throw new IllegalArgumentException("invalid speedtest response: " + e.getMessage());
        }
    }

    /**
     * Reads up to the first newline, then pauses {@code in} so the data phase can take over; fails on EOF, an error
     * or a line longer than {@link #MAX_LINE}.
     */
    static Future<Line> readLine(ReadStream<Buffer> in) {
        Promise<Line> line = Promise.promise();
        Buffer seen = Buffer.buffer();
        in.exceptionHandler(line::tryFail);
        in.endHandler(v -> line.tryFail(new IllegalStateException("connection closed before a complete line")));
        in.handler(buf -> {
            if (line.future().isComplete()) {
                return;
            }
            seen.appendBuffer(buf);
            int newline = indexOfNewline(seen);
            if (newline >= 0) {
                in.pause();
                line.complete(new Line(seen.getString(0, newline, StandardCharsets.UTF_8.name()),
                        seen.getBuffer(newline + 1, seen.length())));
            } else if (seen.length() > MAX_LINE) {
                in.pause();
                line.fail(new IllegalArgumentException("no newline in the first " + MAX_LINE + " bytes"));
            }
        });
        return line.future();
    }

    private static int indexOfNewline(Buffer b) {
        for (int i = 0; i < b.length(); i++) {
            if (b.getByte(i) == '\n') {
                return i;
            }
        }
        return -1;
    }
}
