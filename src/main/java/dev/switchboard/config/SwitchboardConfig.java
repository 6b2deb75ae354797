package dev.switchboard.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Every {@code CODER_*} setting Switchboard reads. Names mirror the environment variables: {@code CODER_X_Y} is
 * {@code coder.x-y} here and {@code x().y()} in code.
 */
@ConfigMapping(prefix = "coder")
public interface SwitchboardConfig {
    /** CODER_CONFIG_DIR: data directory for generated keys. Default {@code ~/.config/switchboard}. */
    @WithDefault("${user.home}/.config/switchboard")
    Path configDir();

    /** CODER_HTTP_ADDRESS: HTTP listener {@code host:port}. Default {@code 127.0.0.1:3000}. */
    @WithDefault("127.0.0.1:3000")
    String httpAddress();

    /**
     * CODER_STUN_LISTEN_ADDRESSES: UDP {@code host:port} list for the STUN responder; {@code :3478} (default) means
     * IPv4 and IPv6 on port 3478; {@code disable} turns the responder off.
     */
    @WithDefault(":3478")
    String stunListenAddresses();

    Derp derp();

    interface Derp {
        Server server();

        interface Server {
            /** CODER_DERP_SERVER_ENABLE: serve the embedded relay at /derp. Default true. */
            @WithDefault("true")
            boolean enable();

            /** CODER_DERP_SERVER_PRIVATE_KEY_PATH: node key file. Default {@code <config dir>/derp.key}. */
            Optional<Path> privateKeyPath();

            /** CODER_DERP_SERVER_MESH_KEY: 64 hex digits granting mesh privileges. */
            Optional<String> meshKey();

            /** CODER_DERP_SERVER_MESH_KEY_FILE: file holding the mesh key (alternative to the variable). */
            @WithName("mesh-key-file")
            Optional<Path> meshKeyFile();
        }
    }
}
