package dev.switchboard.build;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What can be guarded for a native image without building one: every type Jackson (de)serialises through
 * reflection is registered for it, and no main code loads classes by name.
 */
class NativeFriendlinessTest {
    private static final Path CLASSES = Path.of("target", "classes");

    @Test
    void jacksonMappedRecordsAreRegisteredForReflection() throws Exception {
        List<String> missing = new ArrayList<>();
        for (Class<?> type : mainClasses()) {
            if (type.isRecord() && Stream.of(type.getRecordComponents())
                    .anyMatch(c -> c.isAnnotationPresent(JsonProperty.class) || c.getAccessor().isAnnotationPresent(JsonProperty.class))
                    && !type.isAnnotationPresent(RegisterForReflection.class)) {
                missing.add(type.getName());
            }
        }
        assertEquals(List.of(), missing);
    }

    @Test
    void noDynamicClassLoadingInMainCode() throws Exception {
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> sources = Files.walk(Path.of("src", "main", "java"))) {
            for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                String text = Files.readString(source);
                if (text.contains("Class.forName(") || text.contains(".loadClass(")) {
                    offenders.add(source.toString());
                }
            }
        }
        assertEquals(List.of(), offenders);
    }

    private static List<Class<?>> mainClasses() throws Exception {
        List<Class<?>> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(CLASSES.resolve("dev"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = CLASSES.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                if (!name.contains("$$")) {
                    out.add(Class.forName(name, false, NativeFriendlinessTest.class.getClassLoader()));
                }
            }
        }
        return out;
    }
}
