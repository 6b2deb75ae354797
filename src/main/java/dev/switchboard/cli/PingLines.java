package dev.switchboard.cli;

import dev.switchboard.diagnostics.GoDuration;
import java.time.Duration;

/**
 * The lines {@code coder ping} prints (coder/coder {@code cli/ping.go}), without its colours. Pure.
 */
final class PingLines {
    static final String DOCS = "https://coder.com/docs/admin/networking/troubleshooting";

    private PingLines() {
    }

    static String pongDirect(String workspace, String endpoint, Duration latency) {
        return "pong from " + workspace + " p2p via " + endpoint + " in " + ms(latency);
    }

    static String pongRelayed(String workspace, String regionName, Duration latency) {
        return "pong from " + workspace + " proxied via DERP(" + (regionName.isEmpty() ? "unknown" : regionName)
                + ") in " + ms(latency);
    }

    static String p2pEstablished(Duration sinceStart) {
        return "p2p connection established in " + ms(sinceStart);
    }

    static String timedOut(String workspace) {
        return "ping to \"" + workspace + "\" timed out";
    }

    static String failed(String workspace, String error) {
        return "ping to \"" + workspace + "\" failed " + error;
    }

    /** The closing verdict: direct (and whether over a private network) or the DERP warning with its help link. */
    static String footer(boolean direct, boolean privateNetwork) {
        if (direct) {
            return "✔ You are connected directly (p2p)" + (privateNetwork ? ", over a private network" : "");
        }
        return "❗ You are connected via a DERP relay, not directly (p2p)\n"
                + "   " + DOCS + "#common-problems-with-direct-connections";
    }

    private static String ms(Duration d) {
        return GoDuration.format(d, Duration.ofMillis(1));
    }
}
