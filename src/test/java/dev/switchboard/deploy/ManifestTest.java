package dev.switchboard.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.switchboard.auth.TokenService;
import dev.switchboard.config.ConfigOption;
import dev.switchboard.config.ConfigOptions;
import dev.switchboard.config.HostPort;
import dev.switchboard.derp.server.ServerKeyFile;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/k8s parsed into fabric8's typed Kubernetes models (any field the model does not know fails), then checked
 * against the application: probe paths and ports, container ports, and every variable name.
 */
class ManifestTest {
    private static final Path BASE = Path.of("deploy", "k8s", "base");
    private static final Path HA = Path.of("deploy", "k8s", "overlays", "ha");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final Map<String, Class<?>> KINDS = Map.of(
            "ConfigMap", ConfigMap.class, "Deployment", Deployment.class, "Service", Service.class,
            "PodDisruptionBudget", PodDisruptionBudget.class, "HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "NetworkPolicy", NetworkPolicy.class, "ServiceMonitor", GenericKubernetesResource.class);

    @Test
    void everyManifestIsAKnownKindWithOnlyKnownFields() throws Exception {
        for (Path dir : List.of(BASE, Path.of("deploy", "k8s", "monitoring"))) {
            for (String resource : kustomizationResources(dir)) {
                Path file = dir.resolve(resource);
                assertTrue(Files.exists(file), file + " listed in kustomization.yaml");
                JsonNode tree = YAML.readTree(file.toFile());
                Class<?> type = KINDS.get(tree.get("kind").asText());
                assertTrue(type != null, file + ": unexpected kind " + tree.get("kind"));
                Object model = YAML.treeToValue(tree, type);
                if (type != GenericKubernetesResource.class) {
                    List<String> unknown = new ArrayList<>();
                    findUnknownFields(model, file.getFileName().toString(), unknown, new IdentityHashMap<>());
                    assertEquals(List.of(), unknown, "fields the Kubernetes model does not know");
                }
            }
        }
        assertEquals(List.of("../../base"), kustomizationResources(HA));
    }

    /**
     * The ha overlay as kubectl renders it (kustomize is kubectl's, not ours): three replicas spread over nodes, the
     * database URL from its Secret, no shared relay key (a sibling with our key is a self-connect and never meshed),
     * the token signing key still shared, an HPA of 3-6. Without kubectl the patches are checked as written.
     */
    @Test
    void haOverlayRunsThreeReplicasOnPostgresWithARelayKeyEach() throws Exception {
        Deployment deployment;
        HorizontalPodAutoscaler hpa;
        Optional<String> rendered = kubectlKustomize(HA);
        if (rendered.isPresent()) {
            List<JsonNode> docs = YAML.readValues(YAML.createParser(rendered.get()), JsonNode.class).readAll();
            deployment = YAML.treeToValue(kind(docs, "Deployment"), Deployment.class);
            hpa = YAML.treeToValue(kind(docs, "HorizontalPodAutoscaler"), HorizontalPodAutoscaler.class);
            Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
            List<String> env = container.getEnv().stream().map(EnvVar::getName).toList();
            assertFalse(env.contains("CODER_DERP_SERVER_PRIVATE_KEY_PATH"), env.toString());
            assertTrue(env.contains("CODER_AUTH_SIGNING_KEY_FILE") && env.contains("POD_IP"), env.toString());
        } else {
            deployment = YAML.readValue(HA.resolve("deployment-ha.yaml").toFile(), Deployment.class);
            hpa = YAML.readValue(HA.resolve("horizontalpodautoscaler-ha.yaml").toFile(), HorizontalPodAutoscaler.class);
        }
        assertEquals(3, deployment.getSpec().getReplicas());
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertEquals("kubernetes.io/hostname", pod.getAffinity().getPodAntiAffinity()
                .getPreferredDuringSchedulingIgnoredDuringExecution().get(0).getPodAffinityTerm().getTopologyKey());
        EnvVar database = pod.getContainers().get(0).getEnv().stream()
                .filter(e -> e.getName().equals("CODER_PG_CONNECTION_URL")).findFirst().orElseThrow();
        assertEquals("switchboard-postgres", database.getValueFrom().getSecretKeyRef().getName());
        assertEquals(3, hpa.getSpec().getMinReplicas());
        assertEquals(6, hpa.getSpec().getMaxReplicas());
    }

    private static Optional<String> kubectlKustomize(Path dir) throws Exception {
        Process kubectl;
        try {
            kubectl = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException notInstalled) {
            return Optional.empty();
        }
        String out = new String(kubectl.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, kubectl.waitFor(), out);
        return Optional.of(out);
    }

    private static JsonNode kind(List<JsonNode> docs, String kind) {
        return docs.stream().filter(d -> d.path("kind").asText().equals(kind)).findFirst().orElseThrow();
    }

    @Test
    void probesAndPortsMatchTheApplication() throws Exception {
        Deployment deployment = read("deployment.yaml", Deployment.class);
        ConfigMap config = read("configmap.yaml", ConfigMap.class);
        Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        Map<String, ContainerPort> ports = container.getPorts().stream()
                .collect(Collectors.toMap(ContainerPort::getName, p -> p));

        assertEquals(port(config, "CODER_HTTP_ADDRESS"), ports.get("http").getContainerPort());
        assertEquals("TCP", ports.get("http").getProtocol());
        assertEquals(port(config, "CODER_STUN_LISTEN_ADDRESSES"), ports.get("stun").getContainerPort());
        assertEquals("UDP", ports.get("stun").getProtocol());
        assertEquals(port(config, "CODER_PROMETHEUS_ADDRESS"), ports.get("management").getContainerPort());
        // The application default is loopback; kubelet probes and Prometheus come from outside the pod.
        assertEquals("0.0.0.0", HostPort.parse("CODER_PROMETHEUS_ADDRESS",
                config.getData().get("CODER_PROMETHEUS_ADDRESS")).host());
        assertEquals(HostPort.parse("x", option("CODER_TLS_ADDRESS").defaultValue()).port(),
                ports.get("https").getContainerPort());

        assertProbe(container.getLivenessProbe().getHttpGet(), "/q/health/live");
        assertProbe(container.getReadinessProbe().getHttpGet(), "/q/health/ready");
        assertProbe(container.getStartupProbe().getHttpGet(), "/q/health/started");

        assertTrue(container.getSecurityContext().getReadOnlyRootFilesystem());
        assertTrue(deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot());
        long grace = ConfigOptions.parseDuration(config.getData().get("CODER_SHUTDOWN_GRACE_PERIOD")).toSeconds();
        assertTrue(grace < deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds(),
                "drain must finish before SIGKILL");
        assertTrue(container.getVolumeMounts().stream()
                .anyMatch(m -> m.getMountPath().equals(config.getData().get("CODER_CONFIG_DIR"))), "data dir is writable");
        assertEquals("status.podIP", container.getEnv().stream().filter(e -> e.getName().equals("POD_IP"))
                .findFirst().orElseThrow().getValueFrom().getFieldRef().getFieldPath());
    }

    /**
     * The relay key and the token signing key must survive a reschedule: both paths point into the read-only
     * switchboard-keys Secret, and no emptyDir mount covers them.
     */
    @Test
    void keysComeFromTheKeysSecretNotAnEmptyDir() throws Exception {
        PodSpec pod = read("deployment.yaml", Deployment.class).getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().get(0);
        Map<String, Volume> volumes = pod.getVolumes().stream().collect(Collectors.toMap(Volume::getName, v -> v));

        Volume keys = volumes.get("keys");
        assertEquals("switchboard-keys", keys.getSecret().getSecretName());
        assertEquals(0400, keys.getSecret().getDefaultMode());
        assertFalse(Boolean.TRUE.equals(keys.getSecret().getOptional()), "the pod must not start without its keys");
        VolumeMount mount = container.getVolumeMounts().stream().filter(m -> m.getName().equals("keys"))
                .findFirst().orElseThrow();
        assertTrue(mount.getReadOnly());

        Map<String, String> env = container.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
        // The Secret's keys are the file names `kubectl create secret --from-file` takes from `keys generate`.
        assertEquals(mount.getMountPath() + "/" + ServerKeyFile.FILE_NAME, env.get("CODER_DERP_SERVER_PRIVATE_KEY_PATH"));
        assertEquals(mount.getMountPath() + "/" + Path.of(TokenService.SIGNING_KEY_FILE).getFileName(),
                env.get("CODER_AUTH_SIGNING_KEY_FILE"));

        for (String variable : List.of("CODER_DERP_SERVER_PRIVATE_KEY_PATH", "CODER_AUTH_SIGNING_KEY_FILE")) {
            Path key = Path.of(env.get(variable));
            // The deepest mount containing the file is the one it lives on.
            VolumeMount owner = container.getVolumeMounts().stream()
                    .filter(m -> key.startsWith(Path.of(m.getMountPath())))
                    .max(Comparator.comparingInt(m -> Path.of(m.getMountPath()).getNameCount())).orElseThrow();
            assertEquals("keys", owner.getName(), variable);
            for (VolumeMount other : container.getVolumeMounts()) {
                if (volumes.get(other.getName()).getEmptyDir() != null) {
                    assertFalse(key.startsWith(Path.of(other.getMountPath())), variable + " under emptyDir " + other);
                }
            }
        }
    }

    @Test
    void servicesSplitTcpAndUdpAndTargetNamedContainerPorts() throws Exception {
        Set<String> containerPorts = read("deployment.yaml", Deployment.class).getSpec().getTemplate().getSpec()
                .getContainers().get(0).getPorts().stream().map(ContainerPort::getName).collect(Collectors.toSet());
        for (String file : List.of("service.yaml", "service-stun.yaml")) {
            Service service = read(file, Service.class);
            Set<String> protocols = service.getSpec().getPorts().stream().map(p -> p.getProtocol())
                    .collect(Collectors.toSet());
            assertEquals(1, protocols.size(), file + " mixes protocols");
            service.getSpec().getPorts().forEach(p -> assertTrue(containerPorts.contains(p.getTargetPort().getStrVal()),
                    file + " targets unknown port " + p.getTargetPort()));
        }
    }

    @Test
    void everyVariableInTheManifestsIsOneTheApplicationReads() throws Exception {
        Set<String> known = ConfigOptions.ALL.stream().map(ConfigOption::env).collect(Collectors.toSet());
        ConfigMap config = read("configmap.yaml", ConfigMap.class);
        for (String name : config.getData().keySet()) {
            assertTrue(known.contains(name), name + " is not a Switchboard setting");
            option(name).validate(config.getData().get(name));
        }
        Container container = read("deployment.yaml", Deployment.class).getSpec().getTemplate().getSpec()
                .getContainers().get(0);
        container.getEnv().forEach(e -> assertTrue(known.contains(e.getName()) || e.getName().equals("POD_IP"),
                e.getName()));
    }

    @Test
    void dockerfilesExposeTheDefaultPortsAndRunAsNonRoot() throws Exception {
        for (String file : List.of("Dockerfile.jvm", "Dockerfile.native")) {
            String text = Files.readString(Path.of("src", "main", "docker", file));
            assertTrue(text.contains("EXPOSE 3000/tcp 3443/tcp 3478/udp 9000/tcp"), file);
            assertTrue(text.lines().anyMatch(l -> l.startsWith("USER ") && !l.equals("USER root")
                    && text.lastIndexOf(l) > text.lastIndexOf("USER root")), file + " runs as non-root");
            assertFalse(text.contains("CODER_HTTP_ADDRESS=127.0.0.1"), file + " must listen beyond loopback");
        }
    }

    @Test
    void aMisspelledFieldIsCaught() throws Exception {
        Deployment typo = YAML.readValue("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n"
                + "spec:\n  replica: 2\n  template:\n    spec:\n      containers:\n        - name: c\n"
                + "          imagePullPolicyy: Always\n", Deployment.class);
        List<String> unknown = new ArrayList<>();
        findUnknownFields(typo, "typo", unknown, new IdentityHashMap<>());
        assertEquals(2, unknown.size(), unknown.toString());
    }

    private static void assertProbe(HTTPGetAction probe, String path) {
        assertEquals(path, probe.getPath());
        assertEquals("management", probe.getPort().getStrVal());
    }

    private static int port(ConfigMap config, String variable) {
        return HostPort.parse(variable, config.getData().get(variable)).port();
    }

    private static ConfigOption option(String env) {
        return ConfigOptions.ALL.stream().filter(o -> o.env().equals(env)).findFirst().orElseThrow();
    }

    private static <T> T read(String file, Class<T> type) throws Exception {
        return YAML.readValue(BASE.resolve(file).toFile(), type);
    }

    private static List<String> kustomizationResources(Path dir) throws Exception {
        JsonNode kustomization = YAML.readTree(dir.resolve("kustomization.yaml").toFile());
        List<String> resources = new ArrayList<>();
        kustomization.get("resources").forEach(r -> resources.add(r.asText()));
        return resources;
    }

    /** fabric8 models keep fields they do not know in additionalProperties: any entry there is a typo. */
    private static void findUnknownFields(Object node, String path, List<String> unknown, Map<Object, Boolean> seen)
            throws Exception {
        if (node == null || seen.put(node, true) != null) {
            return;
        }
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                findUnknownFields(item, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            Object value = getter.invoke(node);
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    unknown.add(path + ": " + extra.keySet());
                }
            } else if (value != null && !(value instanceof Map<?, ?>)) {
                findUnknownFields(value, path + "." + getter.getName().substring(3), unknown, seen);
            }
        }
    }
}
