package org.cxrscreen.inference.pipeline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.cxrscreen.contracts.EventCodec;
import org.cxrscreen.contracts.ImageReceived;
import org.cxrscreen.contracts.MemberPrediction;
import org.cxrscreen.contracts.PredictionMade;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.contracts.Topics;
import org.cxrscreen.imaging.CanonicalImages;
import org.cxrscreen.imaging.GrayImage;
import org.cxrscreen.inference.config.InferenceConfig;
import org.cxrscreen.inference.lifecycle.ModelLifecycle;
import org.cxrscreen.inference.ml.ModelHolder;
import org.cxrscreen.inference.ml.ServedModel;
import org.cxrscreen.model.ClassProbabilities;
import org.cxrscreen.model.ModelCard;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The images topic through the model, in three stages like a dynamic batcher:
 * <ol>
 * <li>one poll thread owns the consumer: it polls, hands records to the decoders, pauses when too
 * much is in flight, and commits per partition only the offsets whose prediction (or dead letter)
 * Kafka has acknowledged;</li>
 * <li>decoder threads parse the event, decode the PNG and fit it to the model's input; a record that
 * fails goes to {@code xray.images.v1.dlq} with its reason, alone;</li>
 * <li>each inference thread forms a micro-batch (up to {@code inference.batch.max-size} images,
 * waiting at most {@code inference.batch.max-wait} after the first), runs it with its own predictor on
 * the model served when the batch starts, and publishes one prediction per image.</li>
 * </ol>
 * On shutdown (SIGTERM) and when partitions are revoked, polling stops for them, the images in flight
 * are published, and their offsets committed before the partitions are let go: a rebalance or a
 * restart neither loses an image nor predicts it twice. A worker killed outright leaves its
 * uncommitted images to be predicted again by the next owner; the prediction is keyed by image and
 * model version, so the stored diagnosis stays one.
 */
@ApplicationScoped
public class ImagePipeline {

    private static final Logger LOG = Logger.getLogger(ImagePipeline.class);

    /** Where the pipeline is. */
    public enum State {
        WAITING_FOR_MODEL, RUNNING, STOPPING, STOPPED, FAILED
    }

    private final InferenceConfig config;
    private final ModelHolder models;
    private final ModelLifecycle lifecycle;
    private final String bootstrapServers;
    private final String worker;
    private final int maxInFlight;
    private final int workers;

    private final BlockingQueue<Item> ready = new LinkedBlockingQueue<>();
    private final Map<TopicPartition, PartitionOffsets> offsets = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final List<Thread> inferenceThreads = new ArrayList<>();
    private ExecutorService decoders;
    private KafkaProducer<String, byte[]> producer;
    private Thread poller;
    private volatile boolean stopRequested;
    private volatile boolean drained;
    private volatile State state = State.WAITING_FOR_MODEL;
    private volatile String failure;

    private final Counter predicted;
    private final Counter deadLettered;
    private final Map<ScreeningClass, Counter> byLabel = new java.util.EnumMap<>(ScreeningClass.class);
    private final DistributionSummary batchSize;
    private final Timer queueWait;
    private final Timer batchDuration;
    private final Timer imageDuration;
    private final Timer recordAge;

    public ImagePipeline(InferenceConfig config, ModelHolder models, ModelLifecycle lifecycle, MeterRegistry metrics,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.config = config;
        this.models = models;
        this.lifecycle = lifecycle;
        this.bootstrapServers = bootstrapServers;
        this.worker = config.workerId().orElseGet(() -> ManagementFactory.getRuntimeMXBean().getName());
        this.workers = config.workers().orElse(Runtime.getRuntime().availableProcessors());
        this.maxInFlight = config.consumer().maxInFlight().orElse(4 * config.batch().maxSize() * workers);
        this.predicted = Counter.builder("inference.images").tag("outcome", "predicted")
                .description("images consumed, by outcome").register(metrics);
        this.deadLettered = Counter.builder("inference.images").tag("outcome", "dead_letter")
                .description("images consumed, by outcome").register(metrics);
        this.batchSize = DistributionSummary.builder("inference.batch.size").description("images per micro-batch")
                .publishPercentiles(0.5, 0.99).register(metrics);
        this.queueWait = Timer.builder("inference.queue.wait")
                .description("from decoded to the start of its batch").publishPercentiles(0.5, 0.99).register(metrics);
        this.batchDuration = Timer.builder("inference.batch.duration").description("the network's time per batch")
                .publishPercentiles(0.5, 0.99).register(metrics);
        this.imageDuration = Timer.builder("inference.duration")
                .description("per image: decode, fit, and its share of the batch").register(metrics);
        this.recordAge = Timer.builder("inference.record.age")
                .description("from the image's record timestamp to its prediction's acknowledgement")
                .publishPercentiles(0.5, 0.99).register(metrics);
        for (ScreeningClass label : ScreeningClass.values()) {
            byLabel.put(label, metrics.counter("inference.predictions", "label", label.name()));
        }
        metrics.gauge("inference.in.flight", inFlight);
    }

    void onStart(@Observes StartupEvent event) {
        producer = new KafkaProducer<>(KafkaClients.producer(bootstrapServers, "inference-" + worker),
                new StringSerializer(), new ByteArraySerializer());
        decoders = Executors.newFixedThreadPool(config.decodeThreads(), named("inference-decode"));
        for (int i = 0; i < workers; i++) {
            Thread thread = new Thread(this::inferenceLoop, "inference-worker-" + i);
            thread.setDaemon(true);
            inferenceThreads.add(thread);
            thread.start();
        }
        poller = new Thread(this::pollLoop, "inference-poll");
        poller.start();
    }

    /** SIGTERM: stop polling, publish what is in flight, commit, then let the process exit. */
    void onStop(@Observes ShutdownEvent event) {
        stopRequested = true;
        if (poller == null) {
            return;
        }
        try {
            poller.join(config.consumer().drainTimeout().toMillis() + 10_000);
            drained = true;
            for (Thread thread : inferenceThreads) {
                thread.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        decoders.shutdownNow();
        producer.close(Duration.ofSeconds(10));
        LOG.infof("images pipeline stopped (%d images still in flight)", inFlight.get());
    }

    public State state() {
        return state;
    }

    /** Why the pipeline stopped by itself, or null. */
    public String failure() {
        return failure;
    }

    // ---- stage 1: poll and commit -------------------------------------------------------------

    private void pollLoop() {
        try {
            while (!stopRequested && !(lifecycle.awaitReady(500) && models.awaitModel(500))) {
                // waiting for the first model (configured, or published)
            }
            if (stopRequested) {
                state = State.STOPPED;
                return;
            }
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaClients.consumer(bootstrapServers,
                    config.consumer().groupId(), "inference-" + worker, config.consumer().maxPollRecords(),
                    config.consumer().sessionTimeout()),
                    new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(Topics.IMAGES), new Rebalance(consumer));
                state = State.RUNNING;
                LOG.infof("consuming %s as %s in group %s: %d inference thread(s), batches of up to %d within %d ms",
                        Topics.IMAGES, worker, config.consumer().groupId(), workers,
                        config.batch().maxSize(), config.batch().maxWait().toMillis());
                long lastCommit = 0;
                while (!stopRequested && failure == null) {
                    if (inFlight.get() >= maxInFlight) {
                        consumer.pause(consumer.assignment());
                    } else if (!consumer.paused().isEmpty()) {
                        consumer.resume(consumer.paused());
                    }
                    ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(100));
                    for (ConsumerRecord<String, byte[]> record : records) {
                        offsets.computeIfAbsent(new TopicPartition(record.topic(), record.partition()),
                                tp -> new PartitionOffsets()).polled(record.offset());
                        inFlight.incrementAndGet();
                        decoders.execute(() -> decode(record));
                    }
                    if (System.nanoTime() - lastCommit > 200_000_000L) {
                        commit(consumer, offsets.keySet(), false);
                        lastCommit = System.nanoTime();
                    }
                }
                state = failure == null ? State.STOPPING : State.FAILED;
                if (failure == null) {
                    drain(consumer, List.copyOf(offsets.keySet()));
                }
            }
            if (failure == null) {
                state = State.STOPPED;
            }
        } catch (WakeupException | InterruptedException e) {
            state = State.STOPPED;
        } catch (RuntimeException e) {
            fail("the images consumer stopped: " + e);
        }
    }

    /** Waits for the partitions' images in flight to be published, then commits them. */
    private void drain(KafkaConsumer<String, byte[]> consumer, Collection<TopicPartition> partitions)
            throws InterruptedException {
        long deadline = System.nanoTime() + config.consumer().drainTimeout().toNanos();
        for (TopicPartition partition : partitions) {
            PartitionOffsets tracked = offsets.get(partition);
            if (tracked != null && !tracked.awaitIdle(deadline)) {
                LOG.warnf("%s: %d image(s) not published within %s; they will be consumed again", partition,
                        tracked.inFlight(), config.consumer().drainTimeout());
            }
        }
        commit(consumer, partitions, true);
    }

    private void commit(KafkaConsumer<String, byte[]> consumer, Collection<TopicPartition> partitions, boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        for (TopicPartition partition : partitions) {
            PartitionOffsets tracked = offsets.get(partition);
            long offset = tracked == null ? -1 : tracked.toCommit();
            if (offset >= 0) {
                commit.put(partition, new OffsetAndMetadata(offset));
            }
        }
        if (commit.isEmpty()) {
            return;
        }
        if (sync) {
            consumer.commitSync(commit);
            commit.forEach((partition, offset) -> offsets.get(partition).committed(offset.offset()));
        } else {
            consumer.commitAsync(commit, (committed, error) -> {
                if (error == null) {
                    committed.forEach((partition, offset) -> {
                        PartitionOffsets tracked = offsets.get(partition);
                        if (tracked != null) {
                            tracked.committed(offset.offset());
                        }
                    });
                } else {
                    LOG.debugf("commit failed, retried with the next: %s", error.getMessage());
                }
            });
        }
    }

    /** Hands revoked partitions over only after their images in flight are published and committed. */
    private final class Rebalance implements ConsumerRebalanceListener {

        private final KafkaConsumer<String, byte[]> consumer;

        Rebalance(KafkaConsumer<String, byte[]> consumer) {
            this.consumer = consumer;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            try {
                drain(consumer, partitions);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.warnf("committing revoked partitions %s failed: %s", partitions, e.getMessage());
            }
            partitions.forEach(offsets::remove);
            LOG.infof("partitions revoked: %s", partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                LOG.infof("partitions assigned: %s", partitions);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // another member owns them already: committing is no longer allowed
            partitions.forEach(offsets::remove);
            LOG.warnf("partitions lost: %s", partitions);
        }
    }

    // ---- stage 2: decode and fit --------------------------------------------------------------

    /** An image ready for the model. */
    private record Item(ConsumerRecord<String, byte[]> record, ImageReceived image, GrayImage original,
            GrayImage fitted, long decodeNanos, long readyAt) {
    }

    private void decode(ConsumerRecord<String, byte[]> record) {
        long start = System.nanoTime();
        try {
            ImageReceived image = EventCodec.decode(record.value(), ImageReceived.class);
            GrayImage gray = CanonicalImages.decodePng(image.png());
            GrayImage fitted = models.acquire().map(model -> {
                try {
                    return model.preprocessor().fit(gray);
                } finally {
                    model.release();
                }
            }).orElse(null);
            long now = System.nanoTime();
            ready.add(new Item(record, image, gray, fitted, now - start, now));
        } catch (RuntimeException e) {
            deadLetter(record, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    // ---- stage 3: micro-batch, predict, publish -----------------------------------------------

    private void inferenceLoop() {
        int max = config.batch().maxSize();
        long maxWait = config.batch().maxWait().toNanos();
        while (!(drained && ready.isEmpty())) {
            try {
                Item first = ready.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                List<Item> batch = new ArrayList<>(max);
                batch.add(first);
                ready.drainTo(batch, max - 1);
                long deadline = System.nanoTime() + maxWait;
                while (batch.size() < max) {
                    long left = deadline - System.nanoTime();
                    Item next = left > 0 ? ready.poll(left, TimeUnit.NANOSECONDS) : null;
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                    ready.drainTo(batch, max - batch.size());
                }
                predict(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.errorf(e, "inference thread error");
                fail("inference thread error: " + e);
            }
        }
    }

    private void predict(List<Item> batch) {
        ServedModel model = models.acquire().orElseThrow(() -> new IllegalStateException("no model is served"));
        try {
            long start = System.nanoTime();
            int size = model.card().input().size();
            List<GrayImage> inputs = new ArrayList<>(batch.size());
            for (Item item : batch) {
                queueWait.record(start - item.readyAt(), TimeUnit.NANOSECONDS);
                inputs.add(item.fitted() != null && item.fitted().width() == size && item.fitted().height() == size
                        ? item.fitted() : model.preprocessor().fit(item.original()));
            }
            List<ClassProbabilities> outputs;
            try {
                outputs = model.classify(inputs);
            } catch (Exception e) {
                if (batch.size() > 1) {
                    // find the image the network fails on; its batch-mates are predicted one by one
                    batch.forEach(item -> predict(List.of(item)));
                } else {
                    deadLetter(batch.get(0).record(), "model " + model.version() + " failed on the image: "
                            + e.getMessage());
                }
                return;
            }
            long networkNanos = System.nanoTime() - start;
            batchDuration.record(networkNanos, TimeUnit.NANOSECONDS);
            batchSize.record(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                Item item = batch.get(i);
                double millis = (item.decodeNanos() + networkNanos / (double) batch.size()) / 1e6;
                imageDuration.record((long) (millis * 1e6), TimeUnit.NANOSECONDS);
                publish(item, prediction(item.image(), model.card(), outputs.get(i), millis));
            }
        } finally {
            model.release();
        }
    }

    private PredictionMade prediction(ImageReceived image, ModelCard card, ClassProbabilities output, double millis) {
        List<MemberPrediction> members = output.members().isEmpty() ? null : output.members().stream()
                .map(m -> new MemberPrediction(m.model(), output.mostProbable(m.probabilities()),
                        output.asMap(m.probabilities())))
                .toList();
        return new PredictionMade(UUID.randomUUID(), Instant.now(), PredictionMade.SCHEMA_VERSION, image.imageId(),
                card.name(), card.version(), output.label(), output.asMap(), worker, millis, image.receivedAt(),
                members);
    }

    private void publish(Item item, PredictionMade prediction) {
        ConsumerRecord<String, byte[]> record = item.record();
        String key = record.key() != null ? record.key() : prediction.imageId();
        producer.send(new ProducerRecord<>(Topics.PREDICTIONS, key, EventCodec.encode(prediction)), (meta, error) -> {
            if (error != null) {
                fail("publishing the prediction of " + prediction.imageId() + " failed: " + error.getMessage());
                return;
            }
            predicted.increment();
            byLabel.get(prediction.label()).increment();
            recordAge.record(Math.max(0, System.currentTimeMillis() - record.timestamp()), TimeUnit.MILLISECONDS);
            done(record);
        });
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        RecordHeaders headers = new RecordHeaders();
        record.headers().forEach(headers::add);
        headers.add("dead-letter-reason", reason.getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-topic", record.topic().getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-partition", String.valueOf(record.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-offset", String.valueOf(record.offset()).getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-worker", worker.getBytes(StandardCharsets.UTF_8));
        LOG.warnf("%s-%d@%d (key %s) to the dead-letter topic: %s", record.topic(), record.partition(),
                record.offset(), record.key(), reason);
        producer.send(new ProducerRecord<>(Topics.deadLetter(record.topic()), null, record.key(), record.value(),
                headers), (meta, error) -> {
                    if (error != null) {
                        fail("dead-lettering " + record.topic() + "-" + record.partition() + "@" + record.offset()
                                + " failed: " + error.getMessage());
                        return;
                    }
                    deadLettered.increment();
                    done(record);
                });
    }

    private void done(ConsumerRecord<String, byte[]> record) {
        PartitionOffsets tracked = offsets.get(new TopicPartition(record.topic(), record.partition()));
        if (tracked != null) {
            tracked.done(record.offset());
        }
        inFlight.decrementAndGet();
    }

    /**
     * A publication Kafka refused for good: stop consuming, never commit past the image, and report
     * the worker as not live so it is restarted; the image is consumed again then.
     */
    private void fail(String reason) {
        if (failure == null) {
            failure = reason;
            state = State.FAILED;
            LOG.error(reason + "; consumption stopped, offsets are not committed past it");
        }
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + n.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        };
    }
}
