package dev.switchboard.coordinator.client;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The client is reusable outside the server: it may depend on the JDK, Vert.x, protobuf, the generated tailnet
 * messages and itself — never on the coordinator's server side, transport or auth.
 */
class ClientIsolationTest {
    private static final List<String> ALLOWED = List.of("java.", "io.vertx.", "com.google.protobuf.",
            "dev.switchboard.coordinator.proto.", "dev.switchboard.coordinator.client.");

    @Test
    void importsOnlyTheJdkVertxProtobufAndTheGeneratedMessages() throws Exception {
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("src/main/java/dev/switchboard/coordinator/client"))) {
            for (Path file : files.toList()) {
                for (String line : Files.readAllLines(file)) {
                    String imported = line.replaceFirst("^import (static )?", "").replace(";", "").strip();
                    if (line.startsWith("import ") && ALLOWED.stream().noneMatch(imported::startsWith)) {
                        offenders.add(file.getFileName() + ": " + imported);
                    }
                }
            }
        }
        assertEquals(List.of(), offenders);
    }
}
