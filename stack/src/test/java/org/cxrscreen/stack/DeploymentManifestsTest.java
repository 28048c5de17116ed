package org.cxrscreen.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.cxrscreen.contracts.Topics;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The deployment manifests, checked without a cluster or a Docker engine: every Kubernetes object of
 * {@code k8s/} (the base, and both overlays as {@code kubectl kustomize} renders them where kubectl is
 * installed) is a valid object of the Kubernetes model (fabric8's, no unknown field), and what the
 * manifests and {@code docker-compose.yml} say about the services is what the services are: images
 * built by a Dockerfile, ports, probe paths, configuration keys, the scaled Deployment, topics,
 * consumer group, partitions, database names, secrets only by reference.
 */
class DeploymentManifestsTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** Reads the parsed trees into the Kubernetes model (unknown fields land in additionalProperties). */
    private static final ObjectMapper YAML = new ObjectMapper();
    /** Each service's configuration keys in environment form, worked out once. */
    private static final Map<String, Set<String>> CONFIG_ENV = new ConcurrentHashMap<>();
    private static final Map<String, Properties> PROPERTIES = new ConcurrentHashMap<>();
    private static final List<String> SERVICES = List.of("ingest-service", "inference-service", "results-service",
            "training-service");
    private static final Map<String, Class<? extends KubernetesResource>> MODEL = Map.of(
            "Deployment", Deployment.class, "Service", Service.class, "ConfigMap", ConfigMap.class,
            "PodDisruptionBudget", PodDisruptionBudget.class, "NetworkPolicy", NetworkPolicy.class,
            "PersistentVolumeClaim", PersistentVolumeClaim.class);
    /** Environment variables that are not the services' own configuration keys. */
    private static final Set<String> PLATFORM_ENV = Set.of("KAFKA_BOOTSTRAP_SERVERS", "QUARKUS_HTTP_HOST",
            "QUARKUS_DATASOURCE_JDBC_URL", "QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD",
            "MP_JWT_VERIFY_PUBLICKEY_LOCATION", "JAVA_OPTS", "DJL_CACHE_DIR", "ENGINE_CACHE_DIR");
    private static final Set<String> PROBES = Set.of("/q/health/live", "/q/health/ready", "/q/health/started");

    @Test
    void theBaseIsValidKubernetesAndMatchesTheServices() throws Exception {
        List<JsonNode> base = new ArrayList<>();
        try (Stream<Path> files = Files.list(ROOT.resolve("k8s/base"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                if (!file.getFileName().toString().equals("kustomization.yaml")) {
                    base.addAll(documents(Files.readString(file)));
                }
            }
        }
        check("base", base);
    }

    @Test
    void theOverlaysRenderAndEachIsValidAndConsistent() throws Exception {
        for (String overlay : List.of("dev", "prod")) {
            Path dir = ROOT.resolve("k8s/overlays").resolve(overlay);
            assertThat(dir.resolve("kustomization.yaml")).exists();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                    assertThat(documents(Files.readString(file))).as("%s", file).isNotEmpty();
                }
            }
            String rendered = kustomize(dir);
            Assumptions.assumeTrue(rendered != null,
                    "kubectl is not installed: the overlays' files were parsed, not rendered and checked");
            List<JsonNode> objects = documents(rendered);
            check(overlay, objects);
            String namespace = objects.get(0).path("metadata").path("namespace").asText();
            assertThat(objects).allSatisfy(o -> assertThat(o.path("metadata").path("namespace").asText())
                    .as("%s namespace", name(o)).isEqualTo(namespace));
            if (overlay.equals("prod")) {
                Deployment inference = deployment(objects, "inference-service");
                Container worker = inference.getSpec().getTemplate().getSpec().getContainers().get(0);
                assertThat(worker.getResources().getLimits().get("nvidia.com/gpu").getAmount()).isEqualTo("1");
                assertThat(worker.getImage()).startsWith("cxr/inference-service-gpu:");
                assertThat(env(worker)).containsEntry("INFERENCE_DEVICE", "tensorrt");
                assertThat(inference.getSpec().getTemplate().getSpec().getNodeSelector()).isNotEmpty();
                assertThat(inference.getSpec().getTemplate().getSpec().getTolerations())
                        .anySatisfy(t -> assertThat(t.getKey()).isEqualTo("nvidia.com/gpu"));
            }
        }
    }

    @Test
    void theComposeFileMatchesTheServices() throws Exception {
        JsonNode compose = documents(Files.readString(ROOT.resolve("docker-compose.yml"))).get(0);
        JsonNode services = compose.path("services");
        for (String service : SERVICES) {
            JsonNode s = services.path(service);
            assertThat(s.isMissingNode()).as("compose service %s", service).isFalse();
            String port = String.valueOf(httpPort(service));
            assertThat(s.path("ports").toString()).as("%s publishes its port", service).contains(port);
            Map<String, String> env = composeEnv(s.path("environment"));
            assertThat(env).containsKey("KAFKA_BOOTSTRAP_SERVERS");
            env.keySet().forEach(name -> assertThat(isConfigKey(service, name))
                    .as("%s: %s is a configuration key of the service", service, name).isTrue());
            String dockerfile = s.path("build").path("dockerfile").asText();
            assertThat(ROOT.resolve(s.path("build").path("context").asText()).resolve(dockerfile)).isRegularFile();
            assertThat(s.path("healthcheck").isMissingNode() && !Files.readString(ROOT.resolve(s.path("build")
                    .path("context").asText()).resolve(dockerfile)).contains("HEALTHCHECK"))
                    .as("%s has a health check", service).isFalse();
        }
        JsonNode cpu = documents(Files.readString(ROOT.resolve("docker-compose.cpu.yml"))).get(0);
        assertThat(cpu.path("services").path("inference-service").path("image").asText())
                .startsWith("cxr/inference-service:");
        assertThat(composeEnv(cpu.path("services").path("inference-service").path("environment")))
                .containsEntry("INFERENCE_DEVICE", "cpu");
        assertThat(composeEnv(services.path("inference-service").path("environment")))
                .containsEntry("INFERENCE_DEVICE", "tensorrt");
        assertThat(services.path("inference-service").path("deploy").toString()).contains("nvidia", "gpu");
        String everything = compose.toString();
        String topics = services.path("kafka-init").toString();
        for (String topic : Topics.events()) {
            assertThat(topics).as("compose creates %s", topic).contains(topic);
        }
        assertThat(topics).as("and their dead-letter topics").contains(".dlq");
        assertThat(everything).doesNotContainPattern("PASSWORD\"?\\s*:\\s*\"?[A-Za-z0-9]{6,}\"?[,}]");
    }

    @Test
    void everyServiceHasADockerfileRunningAsNonRootWithAHealthCheck() throws IOException {
        for (String service : SERVICES) {
            Path dockerfile = ROOT.resolve(service).resolve("src/main/docker/Dockerfile.jvm");
            String text = Files.readString(dockerfile);
            assertThat(text).as("%s", dockerfile).containsPattern("(?m)^USER\\s+\\d+").contains("HEALTHCHECK")
                    .contains("/q/health/ready").contains("quarkus-app").contains(String.valueOf(httpPort(service)));
        }
        String gpu = Files.readString(ROOT.resolve("inference-service/src/main/docker/Dockerfile.gpu"));
        assertThat(gpu).contains("nvcr.io/nvidia/tensorrt:").contains("quarkus-app-gpu").containsPattern("(?m)^USER\\s+\\d+");
    }

    /** Everything that can be checked of one set of objects. */
    private void check(String where, List<JsonNode> objects) throws Exception {
        Map<String, Deployment> deployments = new LinkedHashMap<>();
        Map<String, String> topics = new LinkedHashMap<>();
        for (JsonNode object : objects) {
            assertThat(object.path("apiVersion").asText()).as("%s: apiVersion of %s", where, object).isNotBlank();
            assertThat(object.path("metadata").path("name").asText()).as("%s: name", where).isNotBlank();
            String kind = object.path("kind").asText();
            assertThat(kind).as("%s: a Secret with values in git", where).isNotEqualTo("Secret");
            Class<? extends KubernetesResource> type = MODEL.get(kind);
            if (type != null) {
                KubernetesResource parsed = YAML.treeToValue(object, type);
                assertThat(unknownFields(parsed, "")).as("%s: unknown fields of %s", where, name(object)).isEmpty();
                if (parsed instanceof Deployment d) {
                    deployments.put(d.getMetadata().getName(), d);
                }
            }
            if (kind.equals("KafkaTopic")) {
                topics.put(object.path("spec").path("topicName").asText(), object.path("spec").path("partitions").asText());
            }
        }
        assertThat(deployments.keySet()).as(where).containsExactlyInAnyOrderElementsOf(SERVICES);
        assertThat(topics.keySet()).as("%s: the topics", where).containsExactlyInAnyOrderElementsOf(Topics.all());
        assertThat(topics.get(Topics.MODELS)).isEqualTo("1");

        for (Deployment d : deployments.values()) {
            String service = d.getMetadata().getName();
            Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(c.getImage()).as("%s image", service).matches("cxr/" + service + "(-gpu)?:[0-9][\\w.-]*");
            assertThat(c.getPorts()).as("%s: http port", service)
                    .anySatisfy(p -> assertThat(p.getContainerPort()).isEqualTo(httpPort(service)));
            for (Probe probe : java.util.Arrays.asList(c.getLivenessProbe(), c.getReadinessProbe(),
                    c.getStartupProbe())) {
                assertThat(probe).as("%s: liveness, readiness and startup probes", service).isNotNull();
                assertThat(PROBES).as("%s probe path", service).contains(probe.getHttpGet().getPath());
                assertThat(c.getPorts()).anySatisfy(p -> assertThat(p.getName())
                        .isEqualTo(probe.getHttpGet().getPort().getStrVal()));
            }
            assertThat(c.getResources().getRequests()).as("%s requests", service).containsKeys("cpu", "memory");
            assertThat(c.getResources().getLimits()).as("%s limits", service).containsKeys("cpu", "memory");
            for (EnvVar e : c.getEnv()) {
                assertThat(isConfigKey(service, e.getName())).as("%s: %s is a configuration key", service, e.getName())
                        .isTrue();
                assertThat(e.getValue() == null && e.getValueFrom() == null).isFalse();
                if (e.getName().endsWith("PASSWORD") || e.getName().endsWith("KEY")) {
                    assertThat(e.getValueFrom()).as("%s: %s comes from a Secret", service, e.getName()).isNotNull();
                }
            }
            Map<String, String> env = env(c);
            if (env.containsKey("QUARKUS_DATASOURCE_JDBC_URL")) {
                String url = env.get("QUARKUS_DATASOURCE_JDBC_URL");
                String cluster = objects.stream().filter(o -> o.path("kind").asText().equals("Cluster"))
                        .map(o -> o.path("metadata").path("name").asText()).findFirst().orElseThrow();
                assertThat(url).startsWith("jdbc:postgresql://" + cluster + "-rw:5432/");
                String database = url.substring(url.lastIndexOf('/') + 1);
                assertThat(objects).as("%s: database %s exists", service, database).anySatisfy(o -> assertThat(
                        o.path("spec").path("name").asText(o.path("spec").path("bootstrap").path("initdb")
                                .path("database").asText())).isEqualTo(database));
            }
        }

        JsonNode scaled = objects.stream().filter(o -> o.path("kind").asText().equals("ScaledObject")).findFirst()
                .orElseThrow();
        assertThat(deployments).containsKey(scaled.path("spec").path("scaleTargetRef").path("name").asText());
        JsonNode trigger = scaled.path("spec").path("triggers").get(0);
        assertThat(trigger.path("type").asText()).isEqualTo("kafka");
        assertThat(trigger.path("metadata").path("topic").asText()).isEqualTo(Topics.IMAGES);
        assertThat(trigger.path("metadata").path("consumerGroup").asText()).isEqualTo(inferenceGroup());
        int max = scaled.path("spec").path("maxReplicaCount").asInt();
        assertThat(scaled.path("spec").path("minReplicaCount").asInt()).as("a warm worker").isGreaterThanOrEqualTo(1);
        assertThat(max).as("%s: at most one worker per partition", where)
                .isLessThanOrEqualTo(Integer.parseInt(topics.get(Topics.IMAGES)));
        String bootstrap = objects.stream().filter(o -> o.path("kind").asText().equals("ConfigMap"))
                .map(o -> o.path("data").path("KAFKA_BOOTSTRAP_SERVERS").asText()).findFirst().orElseThrow();
        assertThat(trigger.path("metadata").path("bootstrapServers").asText()).isEqualTo(bootstrap);
        String kafka = objects.stream().filter(o -> o.path("kind").asText().equals("Kafka"))
                .map(o -> o.path("metadata").path("name").asText()).findFirst().orElseThrow();
        assertThat(bootstrap).isEqualTo(kafka + "-kafka-bootstrap:9092");

        List<Map<String, String>> podLabels = deployments.values().stream()
                .map(d -> d.getSpec().getTemplate().getMetadata().getLabels()).toList();
        for (JsonNode object : objects) {
            String kind = object.path("kind").asText();
            if (kind.equals("Service") || kind.equals("PodDisruptionBudget")) {
                JsonNode selector = kind.equals("Service") ? object.path("spec").path("selector")
                        : object.path("spec").path("selector").path("matchLabels");
                Map<String, String> wanted = new LinkedHashMap<>();
                selector.fields().forEachRemaining(e -> wanted.put(e.getKey(), e.getValue().asText()));
                assertThat(wanted).as("%s has a selector", name(object)).isNotEmpty();
                assertThat(podLabels).as("%s selects the pods of one Deployment", name(object))
                        .anySatisfy(labels -> assertThat(labels).containsAllEntriesOf(wanted));
            }
        }
    }

    private static String name(JsonNode object) {
        return object.path("kind").asText() + "/" + object.path("metadata").path("name").asText();
    }

    private static Deployment deployment(List<JsonNode> objects, String name) throws IOException {
        for (JsonNode o : objects) {
            if (o.path("kind").asText().equals("Deployment") && o.path("metadata").path("name").asText().equals(name)) {
                return YAML.treeToValue(o, Deployment.class);
            }
        }
        throw new AssertionError("no Deployment " + name);
    }

    private static Map<String, String> env(Container c) {
        Map<String, String> env = new LinkedHashMap<>();
        c.getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
        return env;
    }

    private static Map<String, String> composeEnv(JsonNode environment) {
        Map<String, String> env = new LinkedHashMap<>();
        if (environment.isObject()) {
            environment.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        } else {
            environment.forEach(e -> {
                String[] pair = e.asText().split("=", 2);
                env.put(pair[0], pair.length > 1 ? pair[1] : "");
            });
        }
        return env;
    }

    /**
     * Fields the Kubernetes model did not know, found anywhere in the object (fabric8 keeps them in
     * {@code additionalProperties} instead of failing).
     */
    private static List<String> unknownFields(Object value, String path) throws IllegalAccessException {
        List<String> unknown = new ArrayList<>();
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean
                || value.getClass().isEnum()) {
            return unknown;
        }
        if (value instanceof Collection<?> list) {
            int i = 0;
            for (Object item : list) {
                unknown.addAll(unknownFields(item, path + "[" + i++ + "]"));
            }
            return unknown;
        }
        if (value instanceof Map<?, ?> map) {
            for (var e : map.entrySet()) {
                unknown.addAll(unknownFields(e.getValue(), path + "." + e.getKey()));
            }
            return unknown;
        }
        if (!value.getClass().getName().startsWith("io.fabric8")) {
            return unknown;
        }
        for (Class<?> type = value.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                field.setAccessible(true);
                Object fieldValue = field.get(value);
                if (field.getName().equals("additionalProperties") && fieldValue instanceof Map<?, ?> extra) {
                    extra.keySet().forEach(k -> unknown.add(path + "." + k));
                } else {
                    unknown.addAll(unknownFields(fieldValue, path + "." + field.getName()));
                }
            }
        }
        return unknown;
    }

    /**
     * The objects of a multi-document YAML text, anchors, aliases and merge keys resolved (SnakeYAML);
     * Compose's {@code !reset} and {@code !override} tags are read as plain values.
     */
    static List<JsonNode> documents(String text) {
        List<JsonNode> docs = new ArrayList<>();
        String plain = text.replaceAll("!(reset|override)\\b", "");
        for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(plain)) {
            JsonNode node = YAML.valueToTree(doc);
            if (node != null && !node.isNull() && node.size() > 0) {
                docs.add(node);
            }
        }
        return docs;
    }

    /** {@code kubectl kustomize DIR}, or null when kubectl is not installed. */
    private static String kustomize(Path dir) throws Exception {
        boolean found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(p -> Files.isExecutable(Path.of(p, "kubectl")));
        if (!found) {
            return null;
        }
        Process process = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("kubectl kustomize %s: %s", dir, out).isZero();
        return out;
    }

    private static Properties properties(String service) {
        return PROPERTIES.computeIfAbsent(service, DeploymentManifestsTest::readProperties);
    }

    private static Properties readProperties(String service) {
        Properties p = new Properties();
        try (var in = Files.newInputStream(ROOT.resolve(service).resolve("src/main/resources/application.properties"))) {
            p.load(in);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return p;
    }

    private static int httpPort(String service) {
        return Integer.parseInt(properties(service).getProperty("quarkus.http.port"));
    }

    private static String inferenceGroup() throws IOException {
        String config = Files.readString(ROOT.resolve(
                "inference-service/src/main/java/org/cxrscreen/inference/config/InferenceConfig.java"));
        Matcher m = Pattern.compile("@WithDefault\\(\"([^\"]+)\"\\)\\s+String groupId\\(\\)").matcher(config);
        assertThat(m.find()).as("the inference consumer's group default").isTrue();
        return m.group(1);
    }

    /**
     * Whether an environment variable sets one of the service's configuration keys: a key of its
     * {@code application.properties}, or one its {@code @ConfigMapping} interfaces declare (prefix, then
     * up to two levels of method names in kebab case), in Quarkus's environment form.
     */
    private static boolean isConfigKey(String service, String name) {
        return PLATFORM_ENV.contains(name) || CONFIG_ENV.computeIfAbsent(service, DeploymentManifestsTest::configEnv)
                .contains(name);
    }

    private static Set<String> configEnv(String service) {
        Set<String> keys = new HashSet<>();
        properties(service).stringPropertyNames().forEach(k -> keys.add(k.replaceFirst("^%\\w+\\.", "")));
        Path config = ROOT.resolve(service).resolve("src/main/java");
        Pattern mapping = Pattern.compile("@ConfigMapping\\(prefix = \"([^\"]+)\"\\)");
        Pattern method = Pattern.compile("\\s(\\w+)\\(\\);");
        try (Stream<Path> files = Files.walk(config)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String source = Files.readString(file);
                Matcher prefix = mapping.matcher(source);
                if (!prefix.find()) {
                    continue;
                }
                List<String> methods = new ArrayList<>();
                Matcher m = method.matcher(source);
                while (m.find()) {
                    methods.add(m.group(1).replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT));
                }
                for (String a : methods) {
                    keys.add(prefix.group(1) + "." + a);
                    for (String b : methods) {
                        keys.add(prefix.group(1) + "." + a + "." + b);
                    }
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        Set<String> env = new HashSet<>();
        keys.forEach(k -> env.add(k.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT)));
        return env;
    }
}
