package dev.switchboard.cli;

import picocli.CommandLine.Option;

import java.net.URI;

/** {@code --url}: the relay the DERP load tools talk to (a picocli mixin). */
public class RelayUrlOption {
    @Option(names = "--url", defaultValue = "http://127.0.0.1:3000/derp", description = "Relay URL (default ${DEFAULT-VALUE})")
    URI url;
}
