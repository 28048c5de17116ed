package org.cxrscreen.stack;

import java.io.IOException;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.cxrscreen.contracts.Topics;
import org.cxrscreen.dicom.DicomReader;
import org.cxrscreen.dicom.Tags;
import org.cxrscreen.model.FileTrees;

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
        FileTrees.delete(work);
        Files.createDirectories(work);

        List<Fixture> fixtures = new ArrayList<>();
        for (String name : FIXTURES) {
            byte[] file = Files.readAllBytes(dicomDir.resolve(name));
            fixtures.add(new Fixture(file, DicomReader.readPart10(file).dataset().string(Tags.SOP_INSTANCE_UID)));
        }
        // set 0: the measured run; set 1: warm-up; sets 2..: one per parallel association
        long bytes = makeFiles(fixtures, work.resolve("files-0"), count, 0);
        for (int s = 1; s < parallel + 2; s++) {
            makeFiles(fixtures, work.resolve("files-" + s), s == 1 ? WARM_UP : count / parallel, s);
        }
        out.printf("%d DICOM files (%.1f MB; %s in turn, each under its own SOP instance UID)%n", count,
                bytes / 1e6, String.join(", ", FIXTURES));

        double storescp;
        int scpPort = Stack.freePort();
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
        try (Database database = Database.start(work.resolve("postgres"), Stack.freePort(), java.util.Optional.empty(),
                "postgres", "postgres");
                KafkaBroker kafka = KafkaBroker.start(work.resolve("kafka"), logs, Stack.freePort(), Stack.freePort(),
                        home.resolve("stack/target/lib") + "/*")) {
            int httpPort = Stack.freePort();
            int dicomPort = Stack.freePort();
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
                    // output discarded: unread, it would fill the pipe and block storescu
                    senders.add(storescu("CXRSCREEN", dicomPort, work.resolve("files-" + s))
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
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

    /** A fixture's bytes and its SOP instance UID. */
    private record Fixture(byte[] data, String uid) {
    }

    /**
     * Writes {@code count} copies of the fixtures in turn, each with a new SOP instance UID of the same
     * length; returns the bytes written.
     */
    private static long makeFiles(List<Fixture> fixtures, Path dir, int count, int set) throws IOException {
        Files.createDirectories(dir);
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            Fixture fixture = fixtures.get(i % fixtures.size());
            String uid = fixture.uid();
            // the last component's end replaced by 1<set><copy>: same length, no leading zero, unique
            String suffix = String.format("1%d%05d", set, i);
            String copy = uid.substring(0, uid.length() - suffix.length()) + suffix;
            byte[] data = replaceAll(fixture.data(), uid.getBytes(StandardCharsets.US_ASCII),
                    copy.getBytes(StandardCharsets.US_ASCII));
            Files.write(dir.resolve(String.format("%05d.dcm", i)), data);
            bytes += data.length;
        }
        return bytes;
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
        Process process = storescu(calledAe, port, dir).start();
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

    private static ProcessBuilder storescu(String calledAe, int port, Path dir) {
        return new ProcessBuilder("storescu", "-v", "-xy", "-aet", "BENCH", "-aec", calledAe, "localhost",
                String.valueOf(port), "+sd", dir.toString()).redirectErrorStream(true);
    }

    /**
     * Records on the images topic: the sum of its partitions' end offsets (the ingest's producer is
     * idempotent and not transactional, so every offset is a record, and each was acknowledged before
     * its C-STORE was answered).
     */
    private static long countRecords(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.IMAGES).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
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
}
