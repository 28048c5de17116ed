package org.cxrscreen.inference.lifecycle;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.cxrscreen.contracts.EventCodec;
import org.cxrscreen.contracts.ModelPublished;
import org.cxrscreen.contracts.Topics;
import org.cxrscreen.inference.config.InferenceConfig;
import org.cxrscreen.inference.ml.ModelHolder;
import org.cxrscreen.inference.ml.ModelLoader;
import org.cxrscreen.inference.ml.ServedModel;
import org.cxrscreen.inference.pipeline.KafkaClients;
import org.cxrscreen.model.ModelDirectory;
import org.cxrscreen.model.ModelLoadException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Which model the worker serves, and when it changes. At start it loads the configured model
 * directory, if any (an invalid one stops the start), then reads {@code models.published} from the
 * beginning and serves the latest version published for its model name (or the pinned version). It
 * then follows the topic: each new version is downloaded from its artifact URL, verified against the
 * published SHA-256, loaded, warmed up and swapped in atomically. A version that fails any step is
 * refused and reported, and the served model stays.
 */
@ApplicationScoped
public class ModelLifecycle {

    private static final Logger LOG = Logger.getLogger(ModelLifecycle.class);
    private static final int HISTORY = 50;

    /** One step of the model's history on this worker, for the API. */
    public record Change(Instant at, String version, String outcome, String detail) {
    }

    private final InferenceConfig config;
    private final ModelHolder models;
    private final ModelLoader loader;
    private final MeterRegistry metrics;
    private final String bootstrapServers;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Deque<Change> history = new ArrayDeque<>();
    private final Set<String> versionGauges = new HashSet<>();
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean stopped;
    private Thread follower;

    public ModelLifecycle(InferenceConfig config, ModelHolder models, ModelLoader loader, MeterRegistry metrics,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.config = config;
        this.models = models;
        this.loader = loader;
        this.metrics = metrics;
        this.bootstrapServers = bootstrapServers;
    }

    void onStart(@Observes StartupEvent event) {
        Optional<Path> configured = config.modelPath();
        if (configured.isPresent()) {
            Path dir = configured.get();
            if (!ModelDirectory.isModel(dir) && config.followPublished()) {
                LOG.warnf("no model at %s (no %s): waiting for %s on %s", dir.toAbsolutePath(), ModelDirectory.CARD,
                        config.modelName(), Topics.MODELS);
            } else {
                ServedModel model = loader.load(dir); // a configured model that does not load stops the start
                serve(model, "configured " + dir);
            }
        }
        if (config.followPublished()) {
            follower = new Thread(this::follow, "inference-models");
            follower.setDaemon(true);
            follower.start();
        } else {
            caughtUp.countDown();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stopped = true;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    /**
     * Waits until the worker has read {@code models.published} up to its end (so it does not predict
     * with a version already replaced).
     */
    public boolean awaitReady(long millis) throws InterruptedException {
        return caughtUp.await(millis, TimeUnit.MILLISECONDS);
    }

    /** The newest changes first. */
    public synchronized List<Change> history() {
        return List.copyOf(history);
    }

    private void follow() {
        while (!stopped) {
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(
                    KafkaClients.consumer(bootstrapServers, null, "inference-models", 16, Duration.ofSeconds(30)),
                    new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer = c;
                List<TopicPartition> partitions = partitions(c);
                c.assign(partitions);
                c.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = c.endOffsets(partitions);
                ModelPublished latest = null;
                while (!stopped && partitions.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                    for (ConsumerRecord<String, byte[]> record : c.poll(Duration.ofMillis(500))) {
                        ModelPublished event = applicable(record);
                        if (event != null && (latest == null || !event.occurredAt().isBefore(latest.occurredAt()))) {
                            latest = event;
                        }
                    }
                }
                if (latest != null) {
                    apply(latest);
                }
                caughtUp.countDown();
                while (!stopped) {
                    for (ConsumerRecord<String, byte[]> record : c.poll(Duration.ofSeconds(1))) {
                        ModelPublished event = applicable(record);
                        if (event != null) {
                            apply(event);
                        }
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                if (stopped) {
                    return;
                }
                LOG.warnf("following %s failed (%s); retrying in 5 s", Topics.MODELS, e.getMessage());
                sleep(5_000);
            }
        }
    }

    private List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c) {
        while (!stopped) {
            List<PartitionInfo> infos = c.partitionsFor(Topics.MODELS, Duration.ofSeconds(30));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            }
            LOG.warnf("topic %s does not exist yet; waiting for it", Topics.MODELS);
            sleep(5_000);
        }
        throw new WakeupException();
    }

    /** The event if it is a valid {@code ModelPublished} for the model this worker serves. */
    private ModelPublished applicable(ConsumerRecord<String, byte[]> record) {
        ModelPublished event;
        try {
            event = EventCodec.decode(record.value(), ModelPublished.class);
        } catch (RuntimeException e) {
            LOG.warnf("%s-%d@%d is not a valid ModelPublished event, skipped: %s", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return null;
        }
        if (!event.modelName().equals(config.modelName())) {
            return null;
        }
        if (config.pinnedVersion().isPresent() && !config.pinnedVersion().get().equals(event.version())) {
            record(event.version(), "ignored", "this worker is pinned to version " + config.pinnedVersion().get());
            return null;
        }
        return event;
    }

    /** Downloads, verifies, loads and swaps in a published version; refuses it on any failure. */
    void apply(ModelPublished event) {
        if (models.card().map(card -> card.version().equals(event.version())).orElse(false)) {
            LOG.infof("model %s is already served", event.version());
            return;
        }
        long start = System.nanoTime();
        try {
            ServedModel model = loader.load(event);
            serve(model, String.format("published %s, ready in %.1f s", event.artifactUrl(),
                    (System.nanoTime() - start) / 1e9));
        } catch (ModelLoadException | java.io.UncheckedIOException e) {
            metrics.counter("inference.model.loads", "outcome", "refused").increment();
            record(event.version(), "refused", e.getMessage());
            LOG.errorf("model %s refused, %s stays served: %s", event.version(),
                    models.card().map(c -> c.version()).orElse("no model"), e.getMessage());
        }
    }

    private void serve(ServedModel model, String how) {
        String version = model.version();
        models.swap(model);
        metrics.counter("inference.model.loads", "outcome", "served").increment();
        synchronized (this) {
            if (versionGauges.add(version)) {
                Gauge.builder("inference.model.served", models,
                        m -> m.card().map(c -> c.version().equals(version) ? 1.0 : 0.0).orElse(0.0))
                        .tag("version", version)
                        .description("1 for the model version being served")
                        .register(metrics);
            }
        }
        record(version, "served", how + " on " + model.device());
        LOG.infof("serving model %s (%s, %s) on %s: %s", version, model.card().architecture(), model.card().sha256(),
                model.device(), how);
    }

    private synchronized void record(String version, String outcome, String detail) {
        history.addFirst(new Change(Instant.now(), version, outcome, detail));
        while (history.size() > HISTORY) {
            history.removeLast();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
