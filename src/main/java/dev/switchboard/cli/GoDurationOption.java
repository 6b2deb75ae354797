package dev.switchboard.cli;

import picocli.CommandLine;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go-style duration flags, parsed as {@code time.ParseDuration} does; printing is {@code diagnostics.GoDuration}. */
final class GoDurationOption {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");
    private static final Map<String, Long> UNIT_NANOS = Map.of("ns", 1L, "us", 1_000L, "µs", 1_000L,
            "ms", 1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

    private GoDurationOption() {
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
}
