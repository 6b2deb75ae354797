package dev.switchboard.tailnet.forward;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/** A set of TCP ports as {@code 22,80,8000-8999}; {@link #ALL} when unrestricted. Immutable. */
public final class PortRanges implements IntPredicate {
    public static final PortRanges ALL = new PortRanges(List.of(new int[] {1, 65_535}), "1-65535");

    private final List<int[]> ranges;
    private final String text;

    private PortRanges(List<int[]> ranges, String text) {
        this.ranges = ranges;
        this.text = text;
    }

    /** Parses a comma list of ports and {@code low-high} ranges; {@link IllegalArgumentException} on anything else. */
    public static PortRanges parse(String text) {
        List<int[]> out = new ArrayList<>();
        for (String item : text.split(",", -1)) {
            String entry = item.strip();
            int dash = entry.indexOf('-');
            int low = port(dash < 0 ? entry : entry.substring(0, dash), text);
            int high = dash < 0 ? low : port(entry.substring(dash + 1), text);
            if (low > high) {
                throw new IllegalArgumentException("a range low-high with low <= high, not \"" + entry + "\"");
            }
            out.add(new int[] {low, high});
        }
        return new PortRanges(List.copyOf(out), text.strip());
    }

    private static int port(String digits, String whole) {
        try {
            int p = Integer.parseInt(digits.strip());
            if (p >= 1 && p <= 65_535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("ports 1-65535 and ranges such as 22,80,8000-8999, not \"" + whole + "\"");
    }

    @Override
    public boolean test(int port) {
        for (int[] r : ranges) {
            if (port >= r[0] && port <= r[1]) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }
}
