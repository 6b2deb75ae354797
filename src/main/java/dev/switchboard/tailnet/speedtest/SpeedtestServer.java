package dev.switchboard.tailnet.speedtest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

import java.time.Duration;
import java.util.List;

/**
 * The agent's side of {@code coder speedtest}: Tailscale's {@code net/speedtest} server on one connection
 * ({@code handleConnection}, which Coder's agent runs per connection on tailnet port 3). It reads the config line,
 * answers {@code {}} (or the error, then closes), and does the opposite of the client: sends for a download, counts
 * for an upload. Unlike v1.36.2 it caps the test at {@link SpeedtestClient#MAX_DURATION} and waits at most
 * {@link #CONFIG_TIMEOUT} for the config, so a client cannot make the agent send forever or hold a connection idle.
 */
public final class SpeedtestServer {
    /** Coder's agent speedtest port ({@code workspacesdk.AgentSpeedtestPort}). */
    public static final int PORT = 3;
    static final Duration CONFIG_TIMEOUT = Duration.ofSeconds(10);

    private SpeedtestServer() {
    }

    /**
     * Serves one connection, whose two halves are {@code in} and {@code out} (the same socket), on its event loop;
     * completes with the server's own results, failing on any error.
     */
    public static Future<List<SpeedtestResult>> serve(Vertx vertx, ReadStream<Buffer> in, WriteStream<Buffer> out) {
        long timer = vertx.setTimer(CONFIG_TIMEOUT.toMillis(), t -> out.end());
        return Handshake.readLine(in).onComplete(r -> vertx.cancelTimer(timer)).compose(line -> {
            Handshake.Config config;
            try {
                config = Handshake.Config.parse(line.text());
            } catch (IllegalArgumentException e) {
                return refuse(out, e.getMessage());
            }
            if (config.version() != Handshake.VERSION) {
                return refuse(out, "version mismatch! Server is version " + Handshake.VERSION
                        + ", client is version " + config.version());
            }
            Duration duration = clamp(config.duration());
            out.write(Handshake.response(""));
            if (config.direction().reverse() == Direction.UPLOAD) {
                in.handler(ignored -> { }); // nothing is expected; read on so the client's FIN is seen
                in.resume();
                return Transfer.send(vertx, out, duration);
            }
            return Transfer.receive(vertx, in, line.rest(), duration).onComplete(r -> out.end());
        }).onFailure(e -> out.end());
    }

    private static Future<List<SpeedtestResult>> refuse(WriteStream<Buffer> stream, String error) {
        stream.write(Handshake.response(error));
        stream.end();
        return Future.failedFuture(new IllegalArgumentException(error));
    }

    private static Duration clamp(Duration requested) {
        return requested.isNegative() ? Duration.ZERO
                : requested.compareTo(SpeedtestClient.MAX_DURATION) > 0 ? SpeedtestClient.MAX_DURATION : requested;
    }
}
