package org.cxrscreen.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.cxrscreen.testsupport.DevTokens;

/**
 * The whole system on one machine: PostgreSQL, a Kafka broker with the topics, and the ingest,
 * inference, results and training services, each in its own process with its log under
 * {@code <work>/logs}. It waits until the training service serves a model (at a first start, the
 * starter model its bootstrap run trains, or the given one). Closing it stops everything it started,
 * services first.
 */
public final class Stack implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The inference service's JVM options: a small heap and the serial collector (measured the fastest here). */
    static final String INFERENCE_JVM = "-Xmx768m -XX:+UseSerialGC";

    private final StackOptions options;
    private final PrintStream out;
    private final List<AutoCloseable> started = new ArrayList<>();
    private final Map<String, URI> endpoints = new LinkedHashMap<>();
    private String model;

    private Stack(StackOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Starts everything, or stops what it started and throws. */
    public static Stack start(StackOptions options, PrintStream out) {
        Stack stack = new Stack(options, out);
        try {
            stack.startAll();
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void startAll() {
        StackOptions.Ports ports = options.ports();
        checkPortsFree(ports);
        Path work = options.workDir().toAbsolutePath();
        Path logs = work.resolve("logs");

        out.println("starting PostgreSQL" + (options.postgresUrl().isPresent() ? " (external)" : " on 127.0.0.1:"
                + ports.postgres()));
        Database database = Database.start(work.resolve("postgres"), ports.postgres(), options.postgresUrl(),
                options.postgresUser(), options.postgresPassword());
        started.add(database);
        String resultsDb = database.database("results");
        String ingestDb = database.database("ingest");
        String trainingDb = database.database("training");
        String pseudonymKey = pseudonymKey(work);
        DevTokens tokens = DevTokens.in(work.resolve("jwt"));

        out.println("starting Kafka (KRaft) on 127.0.0.1:" + ports.kafka());
        KafkaBroker kafka = KafkaBroker.start(work.resolve("kafka"), logs, ports.kafka(), ports.kafkaController(),
                kafkaClasspath());
        started.add(kafka);

        Map<String, String> common = Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "QUARKUS_HTTP_HOST", "127.0.0.1");
        List<Service> services = List.of(
                new Service("ingest-service", ports.ingest(), "-Xmx512m", Map.of(
                        "INGEST_RESULT_URL", "http://localhost:" + ports.results() + "/api/v1/results/{imageId}",
                        "INGEST_PSEUDONYM_KEY", pseudonymKey,
                        "INGEST_DICOM_PORT", String.valueOf(ports.dicom()),
                        "QUARKUS_DATASOURCE_JDBC_URL", ingestDb,
                        "QUARKUS_DATASOURCE_USERNAME", database.user(),
                        "QUARKUS_DATASOURCE_PASSWORD", database.password())),
                new Service("inference-service", ports.inference(), INFERENCE_JVM, Map.of(
                        "INFERENCE_MODEL_CACHE", work.resolve("inference-cache").toString())),
                new Service("results-service", ports.results(), "-Xmx384m", Map.of(
                        "MP_JWT_VERIFY_PUBLICKEY_LOCATION", tokens.publicKey().toUri().toString(),
                        "QUARKUS_DATASOURCE_JDBC_URL", resultsDb,
                        "QUARKUS_DATASOURCE_USERNAME", database.user(),
                        "QUARKUS_DATASOURCE_PASSWORD", database.password())),
                new Service("training-service", ports.training(), "-Xmx2g", trainingEnv(work, database, trainingDb, tokens)));
        List<ManagedProcess> processes = new ArrayList<>();
        for (Service service : services) {
            Map<String, String> env = new LinkedHashMap<>(common);
            env.putAll(service.env());
            env.put("QUARKUS_HTTP_PORT", String.valueOf(service.port()));
            List<String> command = serviceCommand(options.home(), service.name(), service.jvm());
            out.println("starting " + service.name() + " on http://localhost:" + service.port());
            ManagedProcess process = ManagedProcess.start(service.name(), command, env,
                    logs.resolve(service.name() + ".log"));
            started.add(process);
            processes.add(process);
            endpoints.put(service.name(), URI.create("http://localhost:" + service.port()));
        }
        int training = services.size() - 1;
        awaitReady(processes.get(training), ports.training(), out);
        model = awaitServing(processes.get(training), ports.training());
        for (int i = 0; i < training; i++) {
            awaitReady(processes.get(i), services.get(i).port(), out);
        }
    }

    /**
     * The command line of a packaged service: {@code java <jvm options> -jar <module>/target/quarkus-app/quarkus-run.jar}.
     *
     * @throws IllegalStateException when the service is not built
     */
    static List<String> serviceCommand(Path home, String module, String jvm) {
        Path jar = home.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build first (./mvnw package -DskipTests)");
        }
        List<String> command = new ArrayList<>(List.of(ManagedProcess.java()));
        command.addAll(List.of(jvm.trim().split("\\s+")));
        command.addAll(List.of("-jar", jar.toString()));
        return command;
    }

    private Map<String, String> trainingEnv(Path work, Database database, String trainingDb, DevTokens tokens) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TRAINING_MODELS_DIR", work.resolve("models").toString());
        env.put("TRAINING_IMAGES_DIR", work.resolve("training-images").toString());
        env.put("TRAINING_PUBLIC_URL", "http://localhost:" + options.ports().training());
        env.put("TRAINING_BOOTSTRAP_EPOCHS", String.valueOf(options.starterEpochs()));
        env.put("TRAINING_BOOTSTRAP_LIMIT_PER_CLASS", String.valueOf(options.starterLimitPerClass()));
        options.data().ifPresent(d -> env.put("TRAINING_BOOTSTRAP_DATA", d.toAbsolutePath().normalize().toString()));
        options.model().ifPresent(m -> env.put("TRAINING_BOOTSTRAP_MODEL", m.toAbsolutePath().normalize().toString()));
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", tokens.publicKey().toUri().toString());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", trainingDb);
        env.put("QUARKUS_DATASOURCE_USERNAME", database.user());
        env.put("QUARKUS_DATASOURCE_PASSWORD", database.password());
        env.putAll(options.trainingEnv());
        return env;
    }

    /**
     * Waits until the training service serves a version (at once when one was promoted before; after the
     * bootstrap run on a fresh installation), printing the bootstrap run's progress; returns the version.
     */
    private String awaitServing(ManagedProcess training, int port) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String base = "http://127.0.0.1:" + port;
        String said = "";
        long deadline = System.nanoTime() + TimeUnit.HOURS.toNanos(2);
        while (System.nanoTime() < deadline) {
            if (!training.alive()) {
                throw new IllegalStateException("training-service stopped; the end of " + training.log() + ":\n"
                        + training.tail(40));
            }
            try {
                HttpResponse<String> serving = http.send(HttpRequest.newBuilder(URI.create(base
                        + "/api/v1/models/serving")).build(), HttpResponse.BodyHandlers.ofString());
                if (serving.statusCode() == 200) {
                    String version = JSON.readTree(serving.body()).get("model").get("version").asText();
                    out.println("serving model " + version);
                    return version;
                }
                HttpResponse<String> runs = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/runs?limit=1"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                JsonNode run = runs.statusCode() == 200 ? JSON.readTree(runs.body()).path(0) : null;
                String now = run == null || run.isMissingNode() ? "waiting for the bootstrap (importing the data set)"
                        : runLine(run);
                if (!now.equals(said)) {
                    out.println("  " + now);
                    said = now;
                }
                if (run != null && run.path("status").asText().matches("REJECTED|FAILED")) {
                    throw new IllegalStateException("the bootstrap run " + run.path("status").asText() + ": "
                            + run.path("reasons") + " " + run.path("error").asText("") + "; promote a version by "
                            + "hand (POST " + base + "/api/v1/models/{version}/promote) or give --model DIR");
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a model", e);
            }
            sleep(1000);
        }
        throw new IllegalStateException("no model served after 2 hours; see " + training.log());
    }

    private static String runLine(JsonNode run) {
        JsonNode progress = run.path("progress");
        String epoch = progress.path("epoch").asInt() > 0 ? String.format(java.util.Locale.ROOT, ", epoch %d/%d",
                progress.path("epoch").asInt(), progress.path("epochs").asInt()) : "";
        String left = progress.hasNonNull("secondsLeft") ? String.format(java.util.Locale.ROOT, ", about %.0f s left",
                progress.path("secondsLeft").asDouble()) : "";
        return "run " + run.path("id").asText() + " (" + run.path("kind").asText() + ", " + run.path("status").asText()
                + "): " + progress.path("phase").asText("queued") + epoch + left;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * The key of the ingest's pseudonyms: made once per installation from a strong random source and
     * kept in {@code <work>/pseudonym.key} (readable by its owner only), so ids stay stable across restarts.
     */
    static String pseudonymKey(Path work) {
        Path file = work.resolve("pseudonym.key");
        try {
            if (!Files.isRegularFile(file)) {
                Files.createDirectories(work);
                byte[] random = new byte[32];
                new java.security.SecureRandom().nextBytes(random);
                Path partial = work.resolve("pseudonym.key.partial");
                Files.writeString(partial, java.util.HexFormat.of().formatHex(random));
                try {
                    Files.setPosixFilePermissions(partial, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system
                }
                Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
            }
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or make the pseudonym key " + file + ": " + e.getMessage(), e);
        }
    }

    /** A service to run: its module name, port, JVM options and environment. */
    private record Service(String name, int port, String jvm, Map<String, String> env) {
    }

    /** Waits until a service's readiness probe answers 200; throws with the end of its log if it stops. */
    static void awaitReady(ManagedProcess process, int port, PrintStream out) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (!process.alive()) {
                throw new IllegalStateException(process.name() + " stopped while starting; the end of "
                        + process.log() + ":\n" + process.tail(40));
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    out.println(process.name() + " is ready");
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + process.name(), e);
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + process.name(), e);
            }
        }
        throw new IllegalStateException(process.name() + " was not ready after 180 s; the end of " + process.log()
                + ":\n" + process.tail(40));
    }

    private static void checkPortsFree(StackOptions.Ports ports) {
        for (int port : new int[] {ports.kafka(), ports.kafkaController(), ports.postgres(), ports.ingest(),
                ports.inference(), ports.results(), ports.training(), ports.dicom()}) {
            try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                socket.setReuseAddress(true);
            } catch (IOException e) {
                throw new IllegalStateException("port " + port + " is in use: is a stack already running? Stop it, "
                        + "or choose other ports");
            }
        }
    }

    private String kafkaClasspath() {
        return options.home().resolve("stack/target/lib") + "/*";
    }

    /** A started process that has ended by itself, with the end of its log; empty while all run. */
    public Optional<String> failure() {
        return started.stream()
                .map(c -> c instanceof KafkaBroker broker ? broker.process() : c)
                .filter(c -> c instanceof ManagedProcess p && !p.alive())
                .map(c -> (ManagedProcess) c)
                .findFirst()
                .map(p -> p.name() + " stopped; the end of " + p.log() + ":\n" + p.tail(40));
    }

    /** The model version served when the stack came up. */
    public String model() {
        return model;
    }

    /** Base URLs of the services by name. */
    public Map<String, URI> endpoints() {
        return Map.copyOf(endpoints);
    }

    @Override
    public synchronized void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                out.println("stopping " + started.get(i) + " failed: " + e.getMessage());
            }
        }
        started.clear();
    }

    /** A TCP port free at this moment on this machine. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port: " + e.getMessage(), e);
        }
    }
}
