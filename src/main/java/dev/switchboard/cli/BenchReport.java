package dev.switchboard.cli;

import dev.switchboard.bench.LatencyStats;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What every bench tool prints (bench/README.md): its human lines, then one JSON line {@code {"bench":NAME,…}} for
 * scripts, fields in the order added. Numbers are formatted with {@link Locale#ROOT}, so a decimal point whatever
 * the machine's locale.
 */
final class BenchReport {
    private final List<String> lines = new ArrayList<>();
    private final StringBuilder json;

    BenchReport(String bench) {
        json = new StringBuilder("{\"bench\":\"").append(bench).append('"');
    }

    BenchReport line(String format, Object... args) {
        lines.add(String.format(Locale.ROOT, format, args));
        return this;
    }

    BenchReport field(String name, long value) {
        return raw(name, Long.toString(value));
    }

    BenchReport field(String name, boolean value) {
        return raw(name, Boolean.toString(value));
    }

    /** A decimal with {@code decimals} digits after the point. */
    BenchReport field(String name, double value, int decimals) {
        return raw(name, String.format(Locale.ROOT, "%." + decimals + "f", value));
    }

    /** A latency summary's fields: samples, then p50, p90, p99 and max in milliseconds. */
    BenchReport latency(LatencyStats stats) {
        return field("samples", stats.count()).field("p50_ms", stats.p50Nanos() / 1e6, 3)
                .field("p90_ms", stats.p90Nanos() / 1e6, 3).field("p99_ms", stats.p99Nanos() / 1e6, 3)
                .field("max_ms", stats.maxNanos() / 1e6, 3);
    }

    /** A value written as given: a JSON array or object the caller built. */
    BenchReport raw(String name, String value) {
        json.append(",\"").append(name).append("\":").append(value);
        return this;
    }

    /** Prints the report on stdout; returns the tool's exit status: 0 if {@code passed}, else 1. */
    int print(boolean passed) {
        return print(System.out, passed);
    }

    int print(PrintStream out, boolean passed) {
        lines.forEach(out::println);
        out.println(json + "}");
        return passed ? 0 : 1;
    }
}
