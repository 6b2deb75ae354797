package dev.switchboard.tailnet.speedtest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

import java.time.Duration;
import java.util.List;

/**
 * The client's side of Tailscale's speed test ({@code net/speedtest/speedtest_client.go} {@code RunClientWithConn})
 * on an established stream: sends the config line, reads the response, then counts a download or sends an upload.
 * Its results are what {@code coder speedtest} prints.
 */
public final class SpeedtestClient {
    /** {@code MinDuration}, also the default. */
    public static final Duration MIN_DURATION = Duration.ofSeconds(5);
    /** {@code MaxDuration}. */
    public static final Duration MAX_DURATION = Duration.ofSeconds(30);

    private SpeedtestClient() {
    }

    /**
     * Runs on the event loop of the connection whose two halves are {@code in} and {@code out} (the same socket);
     * fails with the server's error, or the connection's.
     */
    public static Future<List<SpeedtestResult>> run(Vertx vertx, ReadStream<Buffer> in, WriteStream<Buffer> out,
                                                    Direction direction, Duration duration) {
        out.write(new Handshake.Config(Handshake.VERSION, duration, direction).encode());
        return Handshake.readLine(in).compose(line -> {
            String error;
            try {
                error = Handshake.responseError(line.text());
            } catch (IllegalArgumentException e) {
                error = e.getMessage();
            }
            if (!error.isEmpty()) {
                out.end();
                return Future.failedFuture(new IllegalStateException("speedtest refused: " + error));
            }
            if (direction == Direction.DOWNLOAD) {
                return Transfer.receive(vertx, in, line.rest(), duration).onComplete(r -> out.end());
            }
            in.handler(ignored -> { }); // the server sends nothing more; read on so its FIN is seen
            in.resume();
            return Transfer.send(vertx, out, duration);
        });
    }
}
