package dev.switchboard.cli;

import dev.switchboard.diagnostics.GoDuration;
import dev.switchboard.tailnet.engine.Diagnostics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code coder ping}'s peer diagnostics ({@code cli/cliui/agent.go PeerDiagnostics}) and its general issues, from
 * an engine's {@link Diagnostics}. Pure.
 */
final class PeerDiagnosticsLines {
    /** Coder marks a handshake older than this with ⚠ (WireGuard rekeys every 2 min while traffic flows). */
    static final Duration STALE_HANDSHAKE = Duration.ofMinutes(5);

    private PeerDiagnosticsLines() {
    }

    static List<String> lines(Diagnostics d) {
        List<String> out = new ArrayList<>();
        out.add(d.homeConnected() ? "✔ preferred DERP region: " + region(d.homeRegion(), d.homeRegionName())
                : "✘ not connected to DERP");
        out.add(d.sentNode() ? "✔ sent local data to Coder networking coordinator"
                : "✘ have not sent local data to Coder networking coordinator");
        d.peer().ifPresentOrElse(peer -> {
            out.add("✔ received remote agent data from Coder networking coordinator");
            out.add("    preferred DERP region: " + region(peer.preferredDerp(), peer.preferredDerpName()));
            out.add("    endpoints: " + String.join(", ", peer.endpoints()));
            out.add(peer.handshakeAge().map(age -> (age.compareTo(STALE_HANDSHAKE) > 0 ? "⚠" : "✔")
                    + " Wireguard handshake " + GoDuration.format(age, Duration.ofSeconds(1)) + " ago")
                    .orElse("✘ Wireguard is not connected"));
        }, () -> {
            out.add("✘ have not received remote agent data from Coder networking coordinator");
            out.add("✘ Wireguard is not connected");
        });
        if (d.directDisabledLocally()) {
            out.add("❗ Direct connections are disabled locally, by --disable-direct-connections or "
                    + "CODER_DISABLE_DIRECT_CONNECTIONS.");
        }
        if (d.directDisabledByServer()) {
            out.add("❗ Your Coder administrator has blocked direct connections");
            out.add("   " + PingLines.DOCS + "#disabled-deployment-wide");
        }
        return out;
    }

    private static String region(int id, String name) {
        return id + " (" + name + ")";
    }
}
