package dev.switchboard.cli;

import dev.switchboard.diagnostics.GoDuration;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The pongs of one {@code switchboard ping} run and their summary ({@code coder ping}'s table: workspace, total,
 * successful, min, avg, max, variance; running mean and variance by Welford's method). Variance is in ms² and
 * printed as that many milliseconds, as Coder prints its {@code time.Duration} variance. Pure; one thread.
 */
final class PingSummary {
    /** One attempt: a pong (latency, path) or an error text. */
    record Pong(int sequence, Instant time, Optional<Duration> latency, boolean direct, Optional<String> derpRegion,
                Optional<String> error) {
    }

    private final String workspace;
    private final List<Pong> pongs = new ArrayList<>();
    private int successful;
    private double minMs = Double.MAX_VALUE;
    private double maxMs;
    private double meanMs;
    private double m2;

    PingSummary(String workspace) {
        this.workspace = workspace;
    }

    void add(Pong pong) {
        pongs.add(pong);
        pong.latency().ifPresent(latency -> {
            double ms = latency.toNanos() / 1e6;
            successful++;
            minMs = Math.min(minMs, ms);
            maxMs = Math.max(maxMs, ms);
            double delta = ms - meanMs;
            meanMs += delta / successful;
            m2 += delta * (ms - meanMs);
        });
    }

    int successful() {
        return successful;
    }

    double varianceMs() {
        return successful < 2 ? 0 : m2 / (successful - 1);
    }

    /** Coder's table: upper-case headers, columns padded to their widest cell plus two spaces. */
    String table() {
        List<String> header = List.of("WORKSPACE", "TOTAL", "SUCCESSFUL", "MIN", "AVG", "MAX", "VARIANCE");
        List<String> row = List.of(workspace, String.valueOf(pongs.size()), String.valueOf(successful),
                ms(successful == 0 ? 0 : minMs), ms(meanMs), ms(maxMs), ms(varianceMs()));
        StringBuilder head = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < header.size(); i++) {
            int width = Math.max(header.get(i).length(), row.get(i).length());
            boolean last = i == header.size() - 1;
            head.append(last ? header.get(i) : pad(header.get(i), width + 2));
            body.append(last ? row.get(i) : pad(row.get(i), width + 2));
        }
        return head + "\n" + body;
    }

    /** {@code -o json}: {@code {"pongs":[…],"summary":{…}}}, latencies in milliseconds. */
    JsonObject json() {
        JsonArray list = new JsonArray();
        for (Pong p : pongs) {
            list.add(new JsonObject().put("sequence", p.sequence()).put("time", p.time().toString())
                    .put("latency_ms", p.latency().map(l -> l.toNanos() / 1e6).orElse(null))
                    .put("direct", p.direct()).put("derp_region", p.derpRegion().orElse(null))
                    .put("error", p.error().orElse(null)));
        }
        JsonObject summary = new JsonObject().put("workspace", workspace).put("total", pongs.size())
                .put("successful", successful)
                .put("min_ms", successful == 0 ? null : minMs).put("avg_ms", successful == 0 ? null : meanMs)
                .put("max_ms", successful == 0 ? null : maxMs).put("variance_ms", successful == 0 ? null : varianceMs());
        return new JsonObject().put("pongs", list).put("summary", summary);
    }

    private static String ms(double millis) {
        return GoDuration.format(Duration.ofNanos(Math.round(millis * 1e6)), Duration.ofNanos(1_000));
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(Math.max(0, width - s.length()));
    }
}
