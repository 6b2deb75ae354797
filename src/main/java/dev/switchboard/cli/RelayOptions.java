package dev.switchboard.cli;

import picocli.CommandLine.Option;

import java.net.URI;

/** The relay the DERP bench tools talk to and how (a picocli mixin shared by {@code derp}, {@code derp-latency}, {@code conns}). */
public class RelayOptions {
    @Option(names = "--url", defaultValue = "http://127.0.0.1:3000/derp", description = "Relay URL (default ${DEFAULT-VALUE})")
    URI url;

    @Option(names = "--websocket", description = "DERP over WebSocket")
    boolean webSocket;
}
