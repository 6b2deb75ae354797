package dev.switchboard.cli;

import dev.switchboard.tailnet.speedtest.SpeedtestResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Locale;

/**
 * What {@code coder speedtest} prints from the results (coder/coder {@code cli/speedtest.go}): a row per interval,
 * times relative to the first, then a separator and the total — or {@code {"overall":…,"intervals":[…]}}. Pure.
 */
final class SpeedtestReport {
    private SpeedtestReport() {
    }

    static String table(List<SpeedtestResult> results) {
        long origin = results.getFirst().startNanos();
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-15s%-16s%s%n", "Interval", "Transfer",
                "Bandwidth"));
        for (SpeedtestResult r : results) {
            if (r.total()) {
                out.append("-".repeat(46)).append(System.lineSeparator());
            }
            out.append(String.format(Locale.ROOT, "%.2f-%.2f sec  %.4f MBits  %.4f Mbits/sec%n",
                    seconds(r.startNanos(), origin), seconds(r.endNanos(), origin), r.megabits(), r.mbitsPerSecond()));
        }
        return out.toString().stripTrailing();
    }

    static JsonObject json(List<SpeedtestResult> results) {
        long origin = results.getFirst().startNanos();
        JsonArray intervals = new JsonArray();
        JsonObject overall = null;
        for (SpeedtestResult r : results) {
            JsonObject row = new JsonObject().put("start_time_seconds", seconds(r.startNanos(), origin))
                    .put("end_time_seconds", seconds(r.endNanos(), origin)).put("throughput_mbits", r.mbitsPerSecond());
            if (r.total()) {
                overall = row;
            } else {
                intervals.add(row);
            }
        }
        return new JsonObject().put("overall", overall).put("intervals", intervals);
    }

    private static double seconds(long at, long origin) {
        return (at - origin) / 1e9;
    }
}
