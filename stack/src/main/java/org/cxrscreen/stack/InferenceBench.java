package org.cxrscreen.stack;

import ai.djl.engine.Engine;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.cxrscreen.contracts.EventCodec;
import org.cxrscreen.contracts.ImageReceived;
import org.cxrscreen.contracts.PredictionMade;
import org.cxrscreen.contracts.Topics;
import org.cxrscreen.imaging.CanonicalImages;
import org.cxrscreen.imaging.GrayImage;
import org.cxrscreen.imaging.ImageDecoder;
import org.cxrscreen.imaging.ImageLimits;
import org.cxrscreen.model.FileTrees;
import org.cxrscreen.model.ModelCard;
import org.cxrscreen.model.ModelDirectory;
import org.cxrscreen.model.OnnxClassifier;
import org.cxrscreen.testsupport.SharedData;

/**
 * {@code cxr bench inference}: (a) the raw ONNX Runtime session on the model with the service's threads,
 * at batch 1, 8 and 32; (b) the inference service as packaged, consuming a pre-filled images topic of
 * real chest X-rays on a real broker: sustained images/s, then p50/p99 latency at half that rate, and
 * its resident memory with the model loaded. Prints b/a.
 */
public final class InferenceBench {

    private InferenceBench() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
        System.setProperty("ai.djl.offline", "true");
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help")) {
                System.out.println("""
                        usage: ./cxr bench inference [--model DIR] [--images N] [--batch N] [--workers N]
                                                     [--threads N] [--decode-threads N] [--latency-seconds N]
                                                     [--jvm "JVM OPTIONS"]
                          --model DIR         a model directory (default: the research's compact CNN, random weights)
                          --images N          real images pre-filled on the topic for the throughput run (3000)
                          --batch N           the service's maximum micro-batch (8)
                          --workers N         inference threads of the service, each with its own predictor (cores)
                          --threads N         ONNX Runtime intra-op threads per inference thread (1)
                          --decode-threads N  the service's decode threads (1)
                          --latency-seconds N length of the latency run at half the sustained rate (20)
                          --jvm "OPTIONS"     the service's JVM options ("-Xmx768m -XX:+UseSerialGC", as cxr up runs it)""");
                return;
            }
            if (i + 1 < args.length) {
                options.put(args[i].replaceFirst("^--", ""), args[++i]);
            }
        }
        Path home = Path.of(options.getOrDefault("home", ".")).toAbsolutePath().normalize();
        Path work = home.resolve(".cxr/bench-inference");
        int images = Integer.parseInt(options.getOrDefault("images", "3000"));
        int batch = Integer.parseInt(options.getOrDefault("batch", "8"));
        int workers = Integer.parseInt(options.getOrDefault("workers",
                String.valueOf(Runtime.getRuntime().availableProcessors())));
        int threads = Integer.parseInt(options.getOrDefault("threads", "1"));
        int decodeThreads = Integer.parseInt(options.getOrDefault("decode-threads", "1"));
        int latencySeconds = Integer.parseInt(options.getOrDefault("latency-seconds", "20"));
        PrintStream out = System.out;
        FileTrees.delete(work);
        Files.createDirectories(work);

        Path model;
        ModelCard card;
        if (options.containsKey("model")) {
            model = Path.of(options.get("model")).toAbsolutePath();
            card = ModelDirectory.read(model);
        } else {
            model = work.resolve("model");
            card = BenchModels.compactCnn(model);
        }
        out.printf("model %s (%s) from %s%n", card.version(), card.architecture(), model);
        out.printf("service: %d inference thread(s) x %d ONNX Runtime thread(s), batches of up to %d, %d decode "
                + "thread(s); %d CPU core(s)%n", workers, threads, batch, decodeThreads,
                Runtime.getRuntime().availableProcessors());

        out.println("(a) raw ONNX Runtime session, random input, " + workers + " thread(s) x " + threads
                + " intra-op thread(s):");
        Map<Integer, Double> raw = new LinkedHashMap<>();
        for (int size : new LinkedHashSet<>(List.of(1, 8, 32, batch))) {
            raw.put(size, rawSession(model.resolve(card.onnxFile()), size, workers, threads));
            out.printf("    batch %2d: %8.1f images/s%n", size, raw.get(size));
        }

        out.printf("    the service's classifier alone (DJL predictor, fitted images, batch %d): %.1f images/s%n", batch,
                classifier(model, batch, threads));

        List<Canonical> pngs = canonicalImages(images);
        out.printf("    the service's decode stage alone (event JSON, PNG, fit; one thread): %.0f images/s%n",
                decodeStage(pngs, card));
        Path logs = work.resolve("logs");
        try (KafkaBroker kafka = KafkaBroker.start(work.resolve("kafka"), logs, Stack.freePort(), Stack.freePort(),
                home.resolve("stack/target/lib") + "/*")) {
            try (KafkaProducer<String, byte[]> producer = producer(kafka.bootstrapServers())) {
                for (int i = 0; i < images; i++) {
                    String id = "bench-" + i;
                    producer.send(new ProducerRecord<>(Topics.IMAGES, id, event(id, pngs.get(i))));
                }
                producer.flush();
            }
            out.printf("(b) %d real images from %s on %s (%d partitions); starting the inference service%n", images,
                    SharedData.cxr(), Topics.IMAGES, KafkaBroker.PARTITIONS);
            int port = Stack.freePort();
            Map<String, String> env = new LinkedHashMap<>();
            env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
            env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
            env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
            env.put("INFERENCE_MODEL_PATH", model.toString());
            env.put("INFERENCE_MODEL_CACHE", work.resolve("cache").toString());
            env.put("INFERENCE_WORKERS", String.valueOf(workers));
            env.put("INFERENCE_INTRA_OP_THREADS", String.valueOf(threads));
            env.put("INFERENCE_DECODE_THREADS", String.valueOf(decodeThreads));
            env.put("INFERENCE_BATCH_MAX_SIZE", String.valueOf(batch));
            try (Predictions predictions = new Predictions(kafka.bootstrapServers());
                    ManagedProcess service = ManagedProcess.start("inference-service",
                            Stack.serviceCommand(home, "inference-service",
                                    options.getOrDefault("jvm", Stack.INFERENCE_JVM)), env,
                            logs.resolve("inference-service.log"))) {
                Stack.awaitReady(service, port, new PrintStream(java.io.OutputStream.nullOutputStream()));
                double[] cpuBefore = {cpuSeconds(service.pid()), cpuSeconds(kafka.process().pid()),
                        cpuSeconds(ProcessHandle.current().pid())};
                long wallBefore = System.nanoTime();
                predictions.awaitCount(images, Duration.ofMinutes(30), service);
                double wall = (System.nanoTime() - wallBefore) / 1e9;
                double serviceCores = (cpuSeconds(service.pid()) - cpuBefore[0]) / wall;
                out.printf("    CPU use while consuming (cores): service %.2f, Kafka broker %.2f, this benchmark %.2f%n",
                        serviceCores, (cpuSeconds(kafka.process().pid()) - cpuBefore[1]) / wall,
                        (cpuSeconds(ProcessHandle.current().pid()) - cpuBefore[2]) / wall);
                List<Instant> times = predictions.times("bench-");
                // skip the first fifth: the consumer joining, the first fetches, the JIT compiling the hot paths
                int from = times.size() / 5;
                double seconds = Duration.between(times.get(from), times.get(times.size() - 1)).toNanos() / 1e9;
                double sustained = (times.size() - 1 - from) / seconds;
                long rssKb = status(service.pid(), "VmRSS");
                out.println("    " + serviceMetrics(port));
                out.printf("    sustained: %.1f images/s (%d images in %.1f s after the first %d)%n", sustained,
                        times.size() - 1 - from, seconds, from);

                double rate = sustained / 2;
                out.printf("    latency at %.1f images/s (half the sustained rate) for %d s:%n", rate, latencySeconds);
                List<Double> latencies = latency(kafka.bootstrapServers(), predictions, pngs, rate, latencySeconds);
                Collections.sort(latencies);
                List<Double> inService = predictions.untilPredicted();
                out.printf("        p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d images%n", percentile(latencies, 0.5),
                        percentile(latencies, 0.99), latencies.get(latencies.size() - 1), latencies.size());
                List<Double> working = predictions.sentAt.keySet().stream().map(predictions.inferenceMillis::get)
                        .filter(java.util.Objects::nonNull).sorted().toList();
                out.printf("        of which send to prediction made (the service's clock): p50 %.1f ms, p99 %.1f ms;%n"
                        + "        the service's work on the image (decode and its share of the batch): p50 %.1f ms, "
                        + "p99 %.1f ms%n", percentile(inService, 0.5), percentile(inService, 0.99),
                        percentile(working, 0.5), percentile(working, 0.99));
                long hwmKb = status(service.pid(), "VmHWM");
                out.printf("    resident memory with the model loaded: %.0f MiB after the throughput run, peak %.0f MiB%n",
                        rssKb / 1024.0, hwmKb / 1024.0);
                service.close();
                double again = rawSession(model.resolve(card.onnxFile()), batch, workers, threads);
                double a = (raw.get(batch) + again) / 2;
                out.printf("(a) again after (b), batch %d: %.1f images/s; a = the mean, %.1f images/s%n", batch, again, a);
                out.printf("per CPU core: service %.1f images/s per core it used (%.2f), raw session %.1f per core (%d); "
                        + "ratio %.2f%n", sustained / serviceCores, serviceCores, a / (workers * threads),
                        workers * threads, (sustained / serviceCores) / (a / (workers * threads)));
                out.printf("b/a = %.2f  (service %.1f images/s vs raw session %.1f images/s at batch %d; vs the best "
                        + "raw batch: %.2f)%n", sustained / a, sustained, a, batch,
                        sustained / Math.max(a, raw.values().stream().mapToDouble(Double::doubleValue).max().orElse(a)));
            }
        }
    }

    /**
     * Images/s of one ORT session with {@code threads} intra-op threads, run on random input by
     * {@code parallel} threads at once for about 8 s.
     */
    private static double rawSession(Path onnx, int batch, int parallel, int threads) throws Exception {
        Engine.getEngine(OnnxClassifier.ENGINE); // loads ONNX Runtime's native library first
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            try (OrtSession session = env.createSession(onnx.toString(), options)) {
                String input = session.getInputNames().iterator().next();
                float[] data = new float[batch * 3 * 224 * 224];
                SplittableRandom random = new SplittableRandom(1);
                for (int i = 0; i < data.length; i++) {
                    data[i] = (float) random.nextGaussian();
                }
                long[] shape = {batch, 3, 224, 224};
                List<Thread> runners = new ArrayList<>();
                long[] done = new long[parallel];
                AtomicBoolean stop = new AtomicBoolean();
                Exception[] failure = new Exception[1];
                for (int t = 0; t < parallel; t++) {
                    int index = t;
                    runners.add(new Thread(() -> {
                        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape)) {
                            for (int w = 0; w < 2; w++) {
                                session.run(Map.of(input, tensor)).close();
                            }
                            while (!stop.get()) {
                                session.run(Map.of(input, tensor)).close();
                                done[index] += batch;
                            }
                        } catch (Exception e) {
                            failure[0] = e;
                        }
                    }));
                }
                runners.forEach(Thread::start);
                TimeUnit.SECONDS.sleep(2); // warm-up runs
                long before = Arrays.stream(done).sum();
                long start = System.nanoTime();
                TimeUnit.SECONDS.sleep(8);
                long after = Arrays.stream(done).sum();
                double seconds = (System.nanoTime() - start) / 1e9;
                stop.set(true);
                for (Thread runner : runners) {
                    runner.join();
                }
                if (failure[0] != null) {
                    throw failure[0];
                }
                return (after - before) / seconds;
            }
        }
    }

    /** Images/s of the service's own classifier code (DJL, translator) on one thread, no Kafka. */
    private static double classifier(Path model, int batch, int threads) throws Exception {
        Map<String, String> options = Map.of("intraOpNumThreads", String.valueOf(threads), "interOpNumThreads", "1",
                "session.intra_op.allow_spinning", "0");
        try (OnnxClassifier classifier = OnnxClassifier.load(model, options);
                var predictor = classifier.newPredictor()) {
            List<GrayImage> inputs = new ArrayList<>();
            for (int i = 0; i < batch; i++) {
                byte[] pixels = new byte[224 * 224];
                new SplittableRandom(i).nextBytes(pixels);
                inputs.add(new GrayImage(224, 224, pixels));
            }
            for (int i = 0; i < 3; i++) {
                predictor.batchPredict(inputs);
            }
            long start = System.nanoTime();
            long done = 0;
            while (System.nanoTime() - start < 8_000_000_000L) {
                predictor.batchPredict(inputs);
                done += batch;
            }
            return done / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** Images/s of the decode stage: parse the event, decode its PNG, fit it to the input. */
    private static double decodeStage(List<Canonical> pngs, ModelCard card) {
        org.cxrscreen.imaging.Preprocessor preprocessor = new org.cxrscreen.imaging.Preprocessor(card.input());
        List<byte[]> events = new ArrayList<>();
        for (int i = 0; i < Math.min(300, pngs.size()); i++) {
            events.add(event("d-" + i, pngs.get(i)));
        }
        long start = 0;
        int done = 0;
        for (int round = 0; round < 6; round++) {
            if (round == 2) {
                start = System.nanoTime();
                done = 0;
            }
            for (byte[] event : events) {
                ImageReceived image = EventCodec.decode(event, ImageReceived.class);
                preprocessor.fit(CanonicalImages.decodePng(image.png()));
                done++;
            }
        }
        return done / ((System.nanoTime() - start) / 1e9);
    }

    /** Real images of the labelled set, in the canonical form the ingest publishes, cycled to {@code count}. */
    static List<Canonical> canonicalImages(int count) {
        ImageDecoder decoder = new ImageDecoder(ImageLimits.DEFAULT);
        List<SharedData.Entry> manifest = SharedData.manifest();
        List<Canonical> distinct = new ArrayList<>();
        // every class, spread over the manifest
        int step = Math.max(1, manifest.size() / Math.min(count, 500));
        for (int i = 0; i < manifest.size() && distinct.size() < Math.min(count, 500); i += step) {
            GrayImage canonical = CanonicalImages.fromEncoded(SharedData.read(manifest.get(i).file()), decoder);
            distinct.add(new Canonical(CanonicalImages.encodePng(canonical), canonical.width(), canonical.height()));
        }
        List<Canonical> pngs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            pngs.add(distinct.get(i % distinct.size()));
        }
        return pngs;
    }

    /** A canonical PNG and its size, as the ingest publishes it. */
    record Canonical(byte[] png, int width, int height) {
    }

    private static byte[] event(String id, Canonical image) {
        return EventCodec.encode(ImageReceived.of(id, "bench", "PNG", image.width(), image.height(), image.width(),
                image.height(), Instant.now(), image.png()));
    }

    /** Sends images at {@code rate} for {@code seconds}; each image's time from send to its prediction. */
    private static List<Double> latency(String bootstrap, Predictions predictions, List<Canonical> pngs, double rate,
            int seconds) throws Exception {
        int count = (int) Math.max(20, rate * seconds);
        List<byte[]> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(event("latency-" + i, pngs.get(i % pngs.size())));
        }
        long interval = (long) (1e9 / rate);
        try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
            long next = System.nanoTime();
            for (int i = 0; i < count; i++) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                String id = "latency-" + i;
                predictions.sentAt.put(id, Instant.now());
                producer.send(new ProducerRecord<>(Topics.IMAGES, id, events.get(i)));
                next += interval;
            }
        }
        predictions.awaitLatencies(count, Duration.ofMinutes(2));
        return new ArrayList<>(predictions.latencies.values());
    }

    /** Reads the predictions topic in the background, noting when each prediction arrived. */
    private static final class Predictions implements AutoCloseable {

        final Map<String, Instant> sentAt = new ConcurrentHashMap<>();
        final Map<String, Double> inferenceMillis = new ConcurrentHashMap<>();
        final Map<String, Double> latencies = new ConcurrentHashMap<>();
        private final Map<String, Instant> produced = new ConcurrentHashMap<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread reader;

        Predictions(String bootstrap) {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            KafkaConsumer<String, byte[]> consumer =
                    new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(Topics.PREDICTIONS)) {
                partitions.add(new TopicPartition(info.topic(), info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            reader = new Thread(() -> {
                try (consumer) {
                    while (!stop.get()) {
                        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                            Instant now = Instant.now();
                            Instant at = sentAt.get(record.key());
                            if (at != null) {
                                latencies.putIfAbsent(record.key(), Duration.between(at, now).toNanos() / 1e6);
                            }
                            PredictionMade prediction = EventCodec.decode(record.value(), PredictionMade.class);
                            produced.putIfAbsent(record.key(), prediction.occurredAt());
                            inferenceMillis.putIfAbsent(record.key(), prediction.inferenceMillis());
                        }
                    }
                }
            }, "bench-predictions");
            reader.start();
        }

        void awaitCount(int count, Duration timeout, ManagedProcess service) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (produced.size() < count) {
                if (System.nanoTime() > deadline || !service.alive()) {
                    throw new IllegalStateException("only " + produced.size() + " of " + count + " predictions; see "
                            + service.log() + ":\n" + service.tail(30));
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }

        void awaitLatencies(int count, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (latencies.size() < count && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }

        /** Per latency image: from its send to the prediction's {@code occurredAt}, sorted, in ms. */
        List<Double> untilPredicted() {
            return sentAt.entrySet().stream().filter(e -> produced.containsKey(e.getKey()))
                    .map(e -> Duration.between(e.getValue(), produced.get(e.getKey())).toNanos() / 1e6)
                    .sorted().toList();
        }

        /** When the service published each prediction whose key starts with {@code prefix}, in order. */
        List<Instant> times(String prefix) {
            return produced.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).map(Map.Entry::getValue)
                    .sorted().toList();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            reader.join();
        }
    }

    /** A producer of image events for the tests and benchmarks: records up to the system's largest. */
    static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_RECORD_BYTES);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private static double percentile(List<Double> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    /** Means of the service's own batch metrics, from its Prometheus endpoint. */
    private static String serviceMetrics(int port) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String text = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                + "/q/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> values = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (!line.startsWith("#") && line.startsWith("inference_")) {
                String[] parts = line.split(" ");
                values.put(parts[0], Double.parseDouble(parts[parts.length - 1]));
            }
        }
        return String.format("service metrics: mean batch %.1f images, network %.1f ms per batch, queue wait %.1f ms, "
                + "decode+share %.1f ms per image",
                ratio(values, "inference_batch_size_sum", "inference_batch_size_count"),
                1000 * ratio(values, "inference_batch_duration_seconds_sum", "inference_batch_duration_seconds_count"),
                1000 * ratio(values, "inference_queue_wait_seconds_sum", "inference_queue_wait_seconds_count"),
                1000 * ratio(values, "inference_duration_seconds_sum", "inference_duration_seconds_count"));
    }

    private static double ratio(Map<String, Double> values, String sum, String count) {
        return values.entrySet().stream().filter(e -> e.getKey().startsWith(sum)).mapToDouble(Map.Entry::getValue)
                .sum() / values.entrySet().stream().filter(e -> e.getKey().startsWith(count))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    /** User and system CPU time of a process so far, in seconds. */
    private static double cpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
    }

    /** A field of /proc/PID/status in kB. */
    private static long status(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
