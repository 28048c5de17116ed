package org.cxrscreen.stack;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code cxr up}: starts the stack, prints the endpoints, and runs until Ctrl-C (or SIGTERM), when it
 * stops everything it started. If a service dies on its own, it says which and why, and stops.
 */
public final class StackMain {

    static final String USAGE = """
            usage: cxr up [--data DIR] [--model DIR] [--work-dir DIR] [--starter-epochs N]
                          [--starter-limit-per-class N] [--postgres-url JDBC_URL --postgres-user U
                          --postgres-password P] [--kafka-port N] [--kafka-controller-port N]
                          [--postgres-port N] [--ingest-port N] [--inference-port N] [--results-port N]
                          [--training-port N] [--dicom-port N]
              --data DIR    labelled folder: the training service's base set, and its starter model's data
                            when there is no model yet
              --model DIR   serve this model directory when none was promoted yet (no starter model)
              --work-dir    where broker and database files, models and logs live (default .cxr)
              --dicom-port  the ingest's C-STORE SCP (AE title CXRSCREEN), default 11112
            """;

    private static final Set<String> OPTIONS = Set.of("home", "data", "model", "work-dir", "starter-epochs",
            "starter-limit-per-class", "postgres-url", "postgres-user", "postgres-password", "kafka-port",
            "kafka-controller-port", "postgres-port", "ingest-port", "inference-port", "results-port",
            "training-port", "dicom-port");

    private StackMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
        PrintStream out = System.out;
        StackOptions options;
        try {
            if (args.length == 0 || !args[0].equals("up")) {
                throw new IllegalArgumentException("unknown command" + (args.length == 0 ? "" : " '" + args[0] + "'"));
            }
            options = parse(List.of(args).subList(1, args.length));
        } catch (IllegalArgumentException e) {
            out.println("error: " + e.getMessage());
            out.print(USAGE);
            System.exit(2);
            return;
        }
        Stack stack;
        try {
            stack = Stack.start(options, out);
        } catch (RuntimeException e) {
            out.println("error: " + e.getMessage());
            System.exit(1);
            return;
        }
        java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.set(true);
            out.println("stopping the stack...");
            stack.close();
            out.println("stopped");
        }, "cxr-stack-stop"));
        printEndpoints(out, options, stack);
        while (true) {
            Thread.sleep(2000);
            Optional<String> failure = stack.failure();
            if (failure.isPresent() && !stopping.get()) {
                out.println("error: " + failure.get());
                System.exit(1);
            }
        }
    }

    static StackOptions parse(List<String> args) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String name = arg.startsWith("--") ? arg.substring(2) : "";
            if (!OPTIONS.contains(name)) {
                throw new IllegalArgumentException("unknown option " + arg);
            }
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(arg + " needs a value");
            }
            values.put(name, args.get(++i));
        }
        Path home = Path.of(values.getOrDefault("home", ".")).toAbsolutePath().normalize();
        StackOptions.Ports defaults = StackOptions.Ports.defaults();
        StackOptions.Ports ports = new StackOptions.Ports(
                number(values, "kafka-port", defaults.kafka()),
                number(values, "kafka-controller-port", defaults.kafkaController()),
                number(values, "postgres-port", defaults.postgres()),
                number(values, "ingest-port", defaults.ingest()),
                number(values, "inference-port", defaults.inference()),
                number(values, "results-port", defaults.results()),
                number(values, "training-port", defaults.training()),
                number(values, "dicom-port", defaults.dicom()));
        return new StackOptions(home,
                Path.of(values.getOrDefault("work-dir", home.resolve(".cxr").toString())),
                Optional.ofNullable(values.get("data")).map(Path::of),
                Optional.ofNullable(values.get("model")).map(Path::of),
                number(values, "starter-epochs", 4),
                number(values, "starter-limit-per-class", 0),
                Optional.ofNullable(values.get("postgres-url")),
                values.getOrDefault("postgres-user", "postgres"),
                values.getOrDefault("postgres-password", "postgres"),
                ports, Map.of());
    }

    private static int number(Map<String, String> values, String name, int otherwise) {
        String value = values.get(name);
        try {
            return value == null ? otherwise : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, was '" + value + "'");
        }
    }

    private static void printEndpoints(PrintStream out, StackOptions options, Stack stack) {
        Map<String, java.net.URI> e = stack.endpoints();
        StackOptions.Ports p = options.ports();
        out.println();
        out.println("The stack is up (model " + stack.model() + "):");
        out.println("  upload    POST " + e.get("ingest-service") + "/api/v1/images   (PNG, JPEG or DICOM, raw or multipart 'file')");
        out.println("  DICOM     C-STORE CXRSCREEN@localhost:" + p.dicom() + "   STOW-RS POST " + e.get("ingest-service")
                + "/dicom-web/studies");
        out.println("  results   GET  " + e.get("results-service") + "/api/v1/results[/{imageId}]   (bearer token: ./cxr token)");
        out.println("  review        " + e.get("results-service") + "/api/v1/review/worklist, /cases/{imageId}[/claim|/reviews|/image], /statistics");
        out.println("  model     GET  " + e.get("inference-service") + "/api/v1/model");
        out.println("  models    GET  " + e.get("training-service") + "/api/v1/models[/serving|/promotions], /api/v1/runs, /api/v1/dataset");
        out.println("  API docs       <service>/q/swagger-ui   health <service>/q/health   metrics <service>/q/metrics");
        out.println("  kafka          127.0.0.1:" + p.kafka() + "   postgres "
                + options.postgresUrl().orElse("jdbc:postgresql://127.0.0.1:" + p.postgres() + "/results"));
        out.println("  logs           " + options.workDir().toAbsolutePath().resolve("logs"));
        out.println("Try: ./cxr push --c-store localhost:" + p.dicom() + " FILE_OR_FOLDER.dcm, or");
        out.println("     curl -s -H 'Content-Type: image/jpeg' --data-binary @IMAGE.jpg " + e.get("ingest-service")
                + "/api/v1/images");
        out.println("Press Ctrl-C to stop.");
    }
}
