package dev.switchboard.diagnostics;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Go's time.Duration.String(): {@code 1.5ms}, {@code 312µs}, {@code 2.000001s}, {@code 1m30s}, as Coder's
 * diagnostics and {@code coder ping} print durations. Pure.
 */
public final class GoDuration {
    private GoDuration() {
    }

    /** Rounded to {@code unit} first, as {@code dur.Round(unit)} does (half away from zero). */
    public static String format(Duration duration, Duration unit) {
        long u = unit.toNanos();
        long n = duration.toNanos();
        return format(Duration.ofNanos((Math.abs(n) + u / 2) / u * u * Long.signum(n)));
    }

    public static String format(Duration duration) {
        long nanos = duration.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        String sign = nanos < 0 ? "-" : "";
        long abs = Math.abs(nanos);
        if (abs < 1_000) {
            return sign + abs + "ns";
        }
        if (abs < 1_000_000) {
            return sign + decimal(abs, 3) + "µs";
        }
        if (abs < 1_000_000_000) {
            return sign + decimal(abs, 6) + "ms";
        }
        long hours = abs / 3_600_000_000_000L;
        long minutes = abs / 60_000_000_000L % 60;
        String seconds = decimal(abs % 60_000_000_000L, 9) + "s";
        return sign + (hours > 0 ? hours + "h" + minutes + "m" : minutes > 0 ? minutes + "m" : "") + seconds;
    }

    /** {@code value / 10^scale} without trailing zeros. */
    private static String decimal(long value, int scale) {
        BigDecimal d = BigDecimal.valueOf(value, scale).stripTrailingZeros();
        return d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString();
    }
}
