package org.cxrscreen.training.loop;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.cxrscreen.contracts.EventCodec;
import org.cxrscreen.contracts.ModelPublished;
import org.cxrscreen.contracts.OutboxSender;
import org.cxrscreen.contracts.Topics;
import org.cxrscreen.model.ModelCard;
import org.cxrscreen.training.config.TrainingConfig;
import org.cxrscreen.training.domain.ModelRegistry;
import org.cxrscreen.training.domain.PromotionGate;
import org.cxrscreen.training.persistence.Promotion;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Makes a version the one to serve: a {@link Promotion} row, committed with its {@code ModelPublished}
 * record, which the relay then sends on {@code models.published.v1} (keyed by model name, so the
 * workers see promotions in order) and marks sent once Kafka acknowledged it. While Kafka is down the
 * promotion waits in PostgreSQL.
 */
@ApplicationScoped
public class Promotions {

    private static final Logger LOG = Logger.getLogger(Promotions.class);

    private final ModelRegistry registry;
    private final OutboxSender sender;
    private final String publicUrl;

    public Promotions(TrainingConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            @ConfigProperty(name = "quarkus.http.port") int port) {
        this.registry = new ModelRegistry(config.modelsDir());
        this.sender = new OutboxSender(bootstrapServers, "training-promotions");
        this.publicUrl = config.publicUrl().orElse("http://localhost:" + port).replaceAll("/+$", "");
    }

    public ModelRegistry registry() {
        return registry;
    }

    /** The version that serves, if any. */
    @Transactional
    public Optional<Promotion> current() {
        return Promotion.current();
    }

    /** One promotion as it stands now (published or not). */
    @Transactional
    public Promotion find(long id) {
        return Promotion.findById(id);
    }

    /** Every promotion, latest first. */
    @Transactional
    public List<Promotion> history() {
        return Promotion.list("order by id desc");
    }

    /** Records the promotion of a verified version; the relay publishes it. */
    @Transactional
    public Promotion promote(ModelRegistry.Entry entry, String by, Promotion.Reason reason, Long runId) {
        ModelCard card = entry.card();
        Instant now = Instant.now();
        ModelPublished event = new ModelPublished(UUID.randomUUID(), now, ModelPublished.SCHEMA_VERSION, card.name(),
                card.version(), card.architecture(), card.classes(), metrics(card), card.sha256(),
                publicUrl + "/api/v1/models/" + card.version() + "/artifact");
        Promotion promotion = new Promotion();
        promotion.modelName = card.name();
        promotion.version = card.version();
        promotion.promotedAt = now;
        promotion.promotedBy = by;
        promotion.reason = reason;
        promotion.runId = runId;
        promotion.event = EventCodec.encode(event);
        promotion.persist();
        LOG.infof("promoted %s (%s, by %s); publishing it on %s", card.version(), reason, by, Topics.MODELS);
        return promotion;
    }

    /** The test figures a card carries, as published; none when its card has no evaluation report. */
    public static Map<String, Double> metrics(ModelCard card) {
        return PromotionGate.Figures.ofCard(card).map(PromotionGate.Figures::asMetrics).orElse(Map.of());
    }

    @Scheduled(every = "${training.outbox-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void relay() {
        publishPending();
    }

    /**
     * Sends every unsent promotion in order, stopping at the first Kafka refuses; the number sent. A
     * crash between Kafka's acknowledgement and the commit sends one again, which the workers tolerate
     * (they serve the latest event).
     */
    @Transactional
    public int publishPending() {
        // locked: a second relay (the schedule, a promotion, another replica) waits, then finds them sent
        List<Promotion> pending = Promotion.<Promotion>find("publishedAt is null order by id")
                .withLock(LockModeType.PESSIMISTIC_WRITE).list();
        int sent = 0;
        for (Promotion promotion : pending) {
            Optional<String> refused = sender.send(Topics.MODELS, promotion.modelName, promotion.event);
            if (refused.isPresent()) {
                LOG.warnf("promotion of %s not published yet (%s); it stays queued", promotion.version,
                        refused.get());
                break;
            }
            promotion.publishedAt = Instant.now();
            sent++;
        }
        return sent;
    }

    void stop(@Observes ShutdownEvent event) {
        sender.close();
    }
}
