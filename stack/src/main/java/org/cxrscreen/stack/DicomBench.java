package org.cxrscreen.stack;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.cxrscreen.contracts.Topics;
import org.cxrscreen.dicom.DicomReader;
import org.cxrscreen.dicom.Tags;

/**
 * {@code cxr bench dicom}: the same set of real chest radiographs (the accepted DICOM fixtures, each
 * copied under new SOP instance UIDs so none is a duplicate) sent by dcmtk's {@code storescu} over one
 * association to dcmtk's own {@code storescp} (which only writes files) and to the ingest (which reads,
 * checks, de-identifies, decodes, makes the canonical PNG, records the instance in PostgreSQL and waits
 * for Kafka's acknowledgement before it answers). Prints instances/s of both and their ratio, then the
 * ingest with several associations at once.
 */
public final class DicomBench {

    private static final List<String> FIXTURES = List.of("dx-normal-12bit-mono2.dcm",
            "cr-pneumonia-12bit-mono1-implicit.dcm", "cr-covid-jpeg-baseline.dcm");

    private static final int WARM_UP = 30;

    private DicomBench() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path home = Path.of(options.getOrDefault("home", ".")).toAbsolutePath().normalize();
        Path dicomDir = Path.of(options.getOrDefault("dicom", home.resolveSibling("shared/data/dicom").toString()));
        int count = Integer.parseInt(options.getOrDefault("count", "150"));
        int parallel = Integer.parseInt(options.getOrDefault("associations", "4"));
        Path work = Path.of(options.getOrDefault("work-dir", home.resolve(".cxr/bench-dicom").toString()))
                .toAbsolutePath();
        PrintStream out = System.out;
        Stack.deleteTree(work);
        Files.createDirectories(work);

        List<List<Path>> sets = new ArrayList<>();
        // set 0: the measured run; set 1: warm-up; sets 2..: one per parallel association
        for (int s = 0; s < parallel + 2; s++) {
            sets.add(makeFiles(dicomDir, work.resolve("files-" + s), s == 0 ? count : s == 1 ? WARM_UP : count / parallel,
                    s));
        }
        long bytes = 0;
        for (Path file : sets.get(0)) {
            bytes += Files.size(file);
        }
        out.printf("%d DICOM files (%.1f MB; %s in turn, each under its own SOP instance UID)%n", count,
                bytes / 1e6, String.join(", ", FIXTURES));

        double storescp;
        int scpPort = free();
        ManagedProcess dcmtk = ManagedProcess.start("storescp", List.of("storescp", "+xa", "-aet", "STORESCP", "-od",
                Files.createDirectories(work.resolve("storescp")).toString(), String.valueOf(scpPort)), Map.of(),
                work.resolve("storescp.log"));
        try {
            awaitListening(scpPort);
            storescp = send("STORESCP", scpPort, work.resolve("files-0"), count);
        } finally {
            dcmtk.close();
        }
        out.printf("storescp (dcmtk, writes files):            %6.1f instances/s  (%.1f s)%n", count / storescp,
                storescp);

        Path logs = work.resolve("logs");
        try (Database database = Database.start(work.resolve("postgres"), free(), java.util.Optional.empty(),
                "postgres", "postgres");
                KafkaBroker kafka = KafkaBroker.start(work.resolve("kafka"), logs, free(), free(),
                        home.resolve("stack/target/lib") + "/*")) {
            int httpPort = free();
            int dicomPort = free();
            Map<String, String> env = new LinkedHashMap<>();
            env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
            env.put("QUARKUS_HTTP_PORT", String.valueOf(httpPort));
            env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
            env.put("INGEST_PSEUDONYM_KEY", Stack.pseudonymKey(work));
            env.put("INGEST_DICOM_PORT", String.valueOf(dicomPort));
            env.put("QUARKUS_DATASOURCE_JDBC_URL", database.database("ingest"));
            env.put("QUARKUS_DATASOURCE_USERNAME", database.user());
            env.put("QUARKUS_DATASOURCE_PASSWORD", database.password());
            Path jar = home.resolve("ingest-service/target/quarkus-app/quarkus-run.jar");
            try (ManagedProcess ingest = ManagedProcess.start("ingest-service", List.of(ManagedProcess.java(),
                    "-Xmx512m", "-jar", jar.toString()), env, logs.resolve("ingest-service.log"))) {
                Stack.awaitReady(ingest, httpPort, out);
                // warm-up: the service runs for days; JIT-compiled code is what it spends its time in
                send("CXRSCREEN", dicomPort, work.resolve("files-1"), -1);
                double seconds = send("CXRSCREEN", dicomPort, work.resolve("files-0"), count);
                out.printf("ingest (decode, de-identify, publish):     %6.1f instances/s  (%.1f s)%n",
                        count / seconds, seconds);
                out.printf("ratio ingest / storescp:                   %6.2f   (target >= 0.5)%n", storescp / seconds);

                long started = System.nanoTime();
                List<Process> senders = new ArrayList<>();
                for (int s = 2; s < parallel + 2; s++) {
                    senders.add(storescu("CXRSCREEN", dicomPort, work.resolve("files-" + s)));
                }
                for (Process p : senders) {
                    p.waitFor();
                }
                double parallelSeconds = (System.nanoTime() - started) / 1e9;
                int parallelCount = parallel * (count / parallel);
                out.printf("ingest, %d associations at once:            %6.1f instances/s  (%d in %.1f s)%n",
                        parallel, parallelCount / parallelSeconds, parallelCount, parallelSeconds);
                long published = countRecords(kafka.bootstrapServers());
                int expected = count + parallelCount + WARM_UP;
                out.printf("records on %s: %d (expected %d)%n", Topics.IMAGES, published, expected);
                if (published != expected) {
                    throw new IllegalStateException("published " + published + " images, expected " + expected
                            + "; see " + logs);
                }
            }
        }
    }

    /** {@code count} copies of the fixtures in turn, each with a new SOP instance UID of the same length. */
    private static List<Path> makeFiles(Path dicomDir, Path dir, int count, int set) throws IOException {
        Files.createDirectories(dir);
        List<byte[]> originals = new ArrayList<>();
        List<String> uids = new ArrayList<>();
        for (String name : FIXTURES) {
            byte[] file = Files.readAllBytes(dicomDir.resolve(name));
            originals.add(file);
            uids.add(DicomReader.readPart10(file).dataset().string(Tags.SOP_INSTANCE_UID));
        }
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int f = i % FIXTURES.size();
            String uid = uids.get(f);
            // the last component's end replaced by 1<set><copy>: same length, no leading zero, unique
            String suffix = String.format("1%d%05d", set, i);
            String copy = uid.substring(0, uid.length() - suffix.length()) + suffix;
            byte[] data = replaceAll(originals.get(f), uid.getBytes(StandardCharsets.US_ASCII),
                    copy.getBytes(StandardCharsets.US_ASCII));
            Path file = dir.resolve(String.format("%05d.dcm", i));
            Files.write(file, data);
            files.add(file);
        }
        return files;
    }

    private static byte[] replaceAll(byte[] data, byte[] from, byte[] to) {
        byte[] copy = data.clone();
        outer:
        for (int i = 0; i + from.length <= copy.length; i++) {
            for (int j = 0; j < from.length; j++) {
                if (copy[i + j] != from[j]) {
                    continue outer;
                }
            }
            System.arraycopy(to, 0, copy, i, to.length);
        }
        return copy;
    }

    /** Sends a folder with storescu over one association; seconds taken. */
    private static double send(String calledAe, int port, Path dir, int expected) throws Exception {
        long started = System.nanoTime();
        Process process = storescu(calledAe, port, dir);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        double seconds = (System.nanoTime() - started) / 1e9;
        long stored = output.lines().filter(l -> l.contains("Received Store Response (Success)")).count();
        if (process.exitValue() != 0 || (expected >= 0 && stored != expected)) {
            throw new IllegalStateException("storescu to " + calledAe + " stored " + stored + " of " + expected
                    + ":\n" + output.lines().filter(l -> !l.startsWith("I: Sending") && !l.startsWith("XMIT"))
                            .limit(40).reduce("", (a, b) -> a + b + "\n"));
        }
        return seconds;
    }

    private static Process storescu(String calledAe, int port, Path dir) throws IOException {
        return new ProcessBuilder("storescu", "-v", "-xy", "-aet", "BENCH", "-aec", calledAe, "localhost",
                String.valueOf(port), "+sd", dir.toString()).redirectErrorStream(true).start();
    }

    private static long countRecords(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-count-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_RECORD_BYTES);
        long records = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.IMAGES));
            int empty = 0;
            while (empty < 15) {
                int n = consumer.poll(Duration.ofMillis(400)).count();
                records += n;
                empty = n == 0 ? empty + 1 : 0;
            }
        }
        return records;
    }

    private static void awaitListening(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket("localhost", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("storescp did not listen on " + port);
    }

    private static int free() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
