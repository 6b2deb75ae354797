package dev.switchboard.cli;

import dev.switchboard.auth.KeyFiles;
import dev.switchboard.auth.TokenService;
import dev.switchboard.derp.server.ServerKeyFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code switchboard keys generate}: the two keys a server otherwise creates in its data directory on first start,
 * written ahead of time so they can live in a Kubernetes Secret and survive a pod reschedule (an emptyDir would give
 * every new pod a new relay key and invalidate every minted token). Runs without Quarkus (see {@link ClientCli}).
 */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Server keys for a Kubernetes Secret.",
        subcommands = {KeysCommand.Generate.class})
public class KeysCommand {
    /** The name the server's default path uses, so one directory works as a Secret and as CODER_CONFIG_DIR alike. */
    static final String SIGNING_KEY_NAME = Path.of(TokenService.SIGNING_KEY_FILE).getFileName().toString();

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Write a new DERP node key (" + ServerKeyFile.FILE_NAME + ") and token signing key ("
                    + "token-signing-key.pem), mode 0600, into --out. Prints only the written paths; "
                    + "refuses to overwrite existing files.")
    public static class Generate implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--out", required = true, description = "Directory for the key files (created if missing)")
        Path out;

        @Override
        public Integer call() throws Exception {
            Path derpKey = out.resolve(ServerKeyFile.FILE_NAME);
            Path signingKey = out.resolve(SIGNING_KEY_NAME);
            // Checked for both before writing either: replacing a key in use would change the relay's identity or
            // void every token, and a half-done run would leave one new key next to an old one.
            for (Path file : List.of(derpKey, signingKey)) {
                if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                    throw new UsageError("--out", file + " already exists; refusing to overwrite a key "
                            + "(move it away or choose another directory)");
                }
            }
            ServerKeyFile.create(derpKey);
            KeyFiles.createSigningKey(signingKey);
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.println(derpKey);
            stdout.println(signingKey);
            stdout.flush();
            // On stderr, so stdout stays just the paths for scripts.
            spec.commandLine().getErr().println("Store them in the cluster with: kubectl create secret generic "
                    + "switchboard-keys --from-file=" + derpKey + " --from-file=" + signingKey);
            return 0;
        }
    }
}
