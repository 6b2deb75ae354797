package dev.switchboard.cli;

import picocli.CommandLine;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go's {@code time.Duration.String()} for the values Coder prints ({@code 3ms}, {@code 1.234s}, {@code 1m5s},
 * {@code 0s}), which is what {@code coder ping} shows after rounding to the millisecond.
 */
final class GoDuration {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");
    private static final Map<String, Long> UNIT_NANOS = Map.of("ns", 1L, "us", 1_000L, "µs", 1_000L,
            "ms", 1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

    private GoDuration() {
    }

    /** {@code time.ParseDuration} for positive values ({@code 500ms}, {@code 1s}, {@code 1m30s}); null if not one. */
    static Duration parse(String text) {
        Matcher m = PART.matcher(text);
        long nanos = 0;
        int at = 0;
        while (m.find() && m.start() == at) {
            nanos += new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(UNIT_NANOS.get(m.group(2)))).longValue();
            at = m.end();
        }
        return at == text.length() && at > 0 && nanos > 0 ? Duration.ofNanos(nanos) : null;
    }

    /** Picocli converter for Go-style duration flags ({@code --wait 1s}, {@code -t 500ms}). */
    static final class Converter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d = parse(value);
            if (d == null) {
                throw new CommandLine.TypeConversionException(
                        "a positive duration such as 500ms, 1s or 1m30s, not \"" + value + "\"");
            }
            return d;
        }
    }

    /** Rounded to {@code unit} first, as {@code dur.Round(unit)} does (half away from zero). */
    static String format(Duration d, Duration unit) {
        long u = unit.toNanos();
        long n = d.toNanos();
        long rounded = (n + u / 2) / u * u;
        return format(rounded);
    }

    static String format(long nanos) {
        if (nanos == 0) {
            return "0s";
        }
        if (nanos < 1_000) {
            return nanos + "ns";
        }
        if (nanos < 1_000_000) {
            return decimal(nanos, 1_000) + "µs";
        }
        if (nanos < 1_000_000_000) {
            return decimal(nanos, 1_000_000) + "ms";
        }
        long hours = nanos / 3_600_000_000_000L;
        long minutes = nanos / 60_000_000_000L % 60;
        long rest = nanos % 60_000_000_000L;
        StringBuilder out = new StringBuilder();
        if (hours > 0) {
            out.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            out.append(minutes).append('m');
        }
        return out.append(decimal(rest, 1_000_000_000)).append('s').toString();
    }

    private static String decimal(long value, long unit) {
        return BigDecimal.valueOf(value).divide(BigDecimal.valueOf(unit)).stripTrailingZeros().toPlainString();
    }
}
