package dev.switchboard.build;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The package rules of the README's architecture section, checked on the compiled classes (ArchUnit) and on the
 * sources' imports: javac inlines constants, so a dependency through a {@code static final String} (a property
 * name, say) is invisible in bytecode and only the source check sees it.
 */
class ArchitectureTest {
    private static final String ROOT = "dev.switchboard";
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(dev\\.switchboard\\.[\\w.]+?)\\.[A-Z]",
            Pattern.MULTILINE);
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    @Test
    void packagesHaveNoCycleInBytecode() {
        slices().matching(ROOT + ".(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void packagesHaveNoCycleInSourceImports() throws IOException {
        Map<String, Set<String>> graph = sourceImports(Path.of("src/main/java"));
        assertEquals(List.of(), cycles(graph), "package cycles through imports");
    }

    @Test
    void noFeatureDependsOnTheCommandLine() {
        noClasses().that().resideOutsideOfPackage(ROOT + ".cli..").should().dependOnClassesThat()
                .resideInAPackage(ROOT + ".cli..").check(classes);
    }

    @Test
    void onlyVertxInternalsTouchesVertxInternals() {
        noClasses().that().haveNameNotMatching("dev\\.switchboard\\.vertx\\.VertxInternals(\\$.*)?").should().dependOnClassesThat()
                .resideInAnyPackage("io.vertx..impl..", "io.vertx.core.internal..").check(classes);
    }

    @Test
    void theSourceCheckSeesACycle() {
        Map<String, Set<String>> graph = new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"),
                "d", Set.of("a")));
        assertEquals(List.of(List.of("a", "b", "c")), cycles(graph));
    }

    /** Package → the dev.switchboard packages its sources import. */
    private static Map<String, Set<String>> sourceImports(Path sources) throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = sources.relativize(file.getParent()).toString().replace('/', '.');
                Set<String> imports = graph.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = IMPORT.matcher(Files.readString(file));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        imports.add(m.group(1));
                    }
                }
            }
        }
        return graph;
    }

    /** Strongly connected components of more than one package (Tarjan), each sorted. */
    static List<List<String>> cycles(Map<String, Set<String>> graph) {
        return new Tarjan(graph).components();
    }

    private static final class Tarjan {
        private final Map<String, Set<String>> graph;
        private final Map<String, Integer> index = new TreeMap<>();
        private final Map<String, Integer> low = new TreeMap<>();
        private final List<String> stack = new ArrayList<>();
        private final Set<String> onStack = new HashSet<>();
        private final List<List<String>> components = new ArrayList<>();

        Tarjan(Map<String, Set<String>> graph) {
            this.graph = graph;
        }

        List<List<String>> components() {
            for (String node : graph.keySet()) {
                if (!index.containsKey(node)) {
                    visit(node);
                }
            }
            return components;
        }

        private void visit(String node) {
            index.put(node, index.size());
            low.put(node, index.get(node));
            stack.add(node);
            onStack.add(node);
            for (String next : graph.getOrDefault(node, Set.of())) {
                if (!index.containsKey(next)) {
                    visit(next);
                    low.put(node, Math.min(low.get(node), low.get(next)));
                } else if (onStack.contains(next)) {
                    low.put(node, Math.min(low.get(node), index.get(next)));
                }
            }
            if (low.get(node).equals(index.get(node))) {
                List<String> component = new ArrayList<>();
                String member;
                do {
                    member = stack.removeLast();
                    onStack.remove(member);
                    component.add(member);
                } while (!member.equals(node));
                if (component.size() > 1) {
                    component.sort(null);
                    components.add(component);
                }
            }
        }
    }
}
