package dev.switchboard.config;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Whether this process is the server or a client tool that boots Quarkus only for its beans ({@code bench}). The
 * launcher sets {@link #PROPERTY}; feature beans inject this value instead of reading the property, so no feature
 * depends on the CLI.
 */
public enum RunMode {
    SERVER, CLIENT;

    /** System property the launcher sets to {@code false} for client commands; absent means server. */
    public static final String PROPERTY = "switchboard.server-mode";

    public boolean isServer() {
        return this == SERVER;
    }

    /** Read once at start-up. */
    static final class Producer {
        @Produces
        @Singleton
        RunMode runMode(@ConfigProperty(name = PROPERTY, defaultValue = "true") boolean server) {
            return server ? SERVER : CLIENT;
        }
    }
}
