package org.cxrscreen.results.review;

import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.cxrscreen.contracts.EventCodec;
import org.cxrscreen.contracts.LabelAssigned;
import org.cxrscreen.contracts.PredictionMade;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.contracts.Topics;
import org.cxrscreen.results.config.ReviewConfig;

/**
 * The radiologists' workflow: cases flagged from predictions, the worklist, claims, reviews, the
 * disagreement cases they produce, and the audit log. A review, its disagreement case, its audit entry
 * and its {@code LabelAssigned} event (in the outbox) are written in one transaction, so none exists
 * without the others and the label reaches Kafka even if Kafka is down at that moment.
 */
@ApplicationScoped
public class ReviewService {

    static final String CONFIDENCE_SETTING = "confidence-threshold";

    private final EntityManager em;
    private final ReviewConfig config;

    public ReviewService(EntityManager em, ReviewConfig config) {
        this.em = em;
        this.config = config;
    }

    /** The flagging policy in force: the admin's setting, else configuration. */
    @Transactional
    public FlaggingPolicy policy() {
        Object value = em.createNativeQuery("select value from settings where name = ?1")
                .setParameter(1, CONFIDENCE_SETTING).getResultStream().findFirst().orElse(null);
        return new FlaggingPolicy(value == null ? config.confidenceThreshold() : Double.parseDouble(value.toString()));
    }

    /** Makes {@code policy} the flagging policy in force (admin); it checked its own range. */
    @Transactional
    public FlaggingPolicy setPolicy(FlaggingPolicy policy, String actor) {
        String threshold = Double.toString(policy.confidenceThreshold());
        em.createNativeQuery("insert into settings (name, value) values (?1, ?2) "
                + "on conflict (name) do update set value = excluded.value")
                .setParameter(1, CONFIDENCE_SETTING).setParameter(2, threshold).executeUpdate();
        AuditEntry.record(actor, "settings.changed", CONFIDENCE_SETTING, threshold);
        return policy;
    }

    /**
     * Flags (or re-flags) the case of a newly stored prediction; called in the transaction that stored it.
     *
     * @param labelsByVersion every stored prediction's label for this image, by model version
     * @param arrivedAt when the image reached the ingest, if known
     */
    public void onPrediction(PredictionMade prediction, Map<String, ScreeningClass> labelsByVersion,
            Instant arrivedAt) {
        ReviewCase existing = em.find(ReviewCase.class, prediction.imageId(), LockModeType.PESSIMISTIC_WRITE);
        if (existing != null && prediction.occurredAt().isBefore(existing.flaggedAt)) {
            // an older version's prediction arriving late: the case keeps the newer one, but the
            // disagreement between versions still counts
            Set<FlagReason> reasons = existing.flagReasons();
            if (FlaggingPolicy.versionsDisagree(prediction, labelsByVersion)) {
                reasons.add(FlagReason.VERSIONS_DISAGREE);
            }
            apply(existing, reasons);
            return;
        }
        Set<FlagReason> reasons = policy().reasons(prediction, labelsByVersion);
        ReviewCase c = existing != null ? existing : new ReviewCase();
        c.imageId = prediction.imageId();
        c.modelVersion = prediction.modelVersion();
        c.predictedLabel = prediction.label().name();
        c.covid19 = prediction.probabilities().getOrDefault(ScreeningClass.COVID19, 0.0);
        c.normal = prediction.probabilities().getOrDefault(ScreeningClass.NORMAL, 0.0);
        c.pneumonia = prediction.probabilities().getOrDefault(ScreeningClass.PNEUMONIA, 0.0);
        c.topProbability = Math.max(c.covid19, Math.max(c.normal, c.pneumonia));
        c.positiveScreen = reasons.contains(FlagReason.POSITIVE_SCREEN);
        c.flaggedAt = prediction.occurredAt();
        c.arrivedAt = arrivedAt != null ? arrivedAt : prediction.imageReceivedAt();
        if (c.status == null) {
            c.status = ReviewCase.OPEN;
        }
        apply(c, reasons);
        if (existing == null) {
            em.persist(c);
        }
    }

    private static void apply(ReviewCase c, Set<FlagReason> reasons) {
        c.reasons = reasons.stream().map(Enum::name).collect(Collectors.joining(","));
        c.flagged = !reasons.isEmpty();
    }

    /** Worklist filters; null means any. */
    public record Filter(FlagReason reason, ScreeningClass label, String modelVersion, Instant from, Instant to) {
    }

    public record Page(List<ReviewCase> items, long total) {
    }

    /** Flagged, unreviewed cases: positive COVID-19 screens first, then the least confident, then the oldest. */
    @Transactional
    public Page worklist(Filter filter, int page, int size) {
        StringBuilder where = new StringBuilder("flagged = true and status = 'OPEN'");
        Map<String, Object> params = new LinkedHashMap<>();
        and(where, params, "concat(',', reasons, ',') like :reason", "reason",
                filter.reason() == null ? null : "%," + filter.reason().name() + ",%");
        and(where, params, "predictedLabel = :label", "label", filter.label() == null ? null : filter.label().name());
        and(where, params, "modelVersion = :version", "version", filter.modelVersion());
        and(where, params, "flaggedAt >= :from", "from", filter.from());
        and(where, params, "flaggedAt < :to", "to", filter.to());
        var query = ReviewCase.find(where.toString(), Sort.descending("positiveScreen").and("topProbability")
                .and("flaggedAt").and("imageId"), params);
        return new Page(query.page(page, size).list(), query.count());
    }

    /** Adds {@code condition} and its parameter when the filter's value is given. */
    private static void and(StringBuilder where, Map<String, Object> params, String condition, String name,
            Object value) {
        if (value != null) {
            where.append(" and ").append(condition);
            params.put(name, value);
        }
    }

    /** A case, opened by a reader (audited). */
    @Transactional
    public ReviewCase open(String imageId, String actor) {
        ReviewCase c = require(imageId, LockModeType.NONE);
        AuditEntry.record(actor, "case.opened", imageId, null);
        return c;
    }

    /** The reviews of a case, oldest first. */
    @Transactional
    public List<Review> reviews(String imageId) {
        return Review.list("imageId", Sort.ascending("reviewedAt"), imageId);
    }

    /** The canonical PNG of an image, when the results service received it. */
    @Transactional
    public Optional<byte[]> png(String imageId, String actor) {
        Object png = em.createNativeQuery("select png from images where image_id = ?1").setParameter(1, imageId)
                .getResultStream().findFirst().orElse(null);
        if (png instanceof byte[] bytes) {
            AuditEntry.record(actor, "image.viewed", imageId, null);
            return Optional.of(bytes);
        }
        return Optional.empty();
    }

    /** Claims a case for {@code reader} until the claim expires; a claim held by another reader is refused. */
    @Transactional
    public ReviewCase claim(String imageId, String reader) {
        ReviewCase c = require(imageId, LockModeType.PESSIMISTIC_WRITE);
        Instant now = Instant.now();
        refuseOtherHolder(c, reader, now, " until " + c.claimExpiresAt);
        c.claimedBy = reader;
        c.claimExpiresAt = now.plus(config.claimDuration());
        AuditEntry.record(reader, "case.claimed", imageId, "until " + c.claimExpiresAt);
        return c;
    }

    /** Releases the reader's own claim; releasing an unclaimed case changes nothing. */
    @Transactional
    public ReviewCase release(String imageId, String reader) {
        ReviewCase c = require(imageId, LockModeType.PESSIMISTIC_WRITE);
        String holder = refuseOtherHolder(c, reader, Instant.now(), "; only they can release it");
        if (holder != null) {
            c.claimedBy = null;
            c.claimExpiresAt = null;
            AuditEntry.record(reader, "case.released", imageId, null);
        }
        return c;
    }

    /**
     * Records a reader's label for a case: its disagreement case when it differs from the model's label,
     * its audit entry and its {@code LabelAssigned} event, all or nothing.
     */
    @Transactional
    public Review review(String imageId, String reader, ScreeningClass label, String comment) {
        ReviewCase c = require(imageId, LockModeType.PESSIMISTIC_WRITE);
        Instant now = Instant.now();
        refuseOtherHolder(c, reader, now, " until " + c.claimExpiresAt
                + "; it can be reviewed by them, or by anyone once released");
        if (Review.count("imageId = ?1 and reviewer = ?2", imageId, reader) > 0) {
            throw new ReviewException(409, "already_reviewed", reader + " has already reviewed case " + imageId
                    + "; a reader reviews a case once");
        }
        Review review = new Review();
        review.imageId = imageId;
        review.reviewer = reader;
        review.label = label.name();
        review.comment = comment;
        review.modelVersion = c.modelVersion;
        review.modelLabel = c.predictedLabel;
        review.reviewedAt = now;
        review.persist();
        boolean disagrees = !label.name().equals(c.predictedLabel);
        if (disagrees) {
            Disagreement d = new Disagreement();
            d.reviewId = review.id;
            d.imageId = imageId;
            d.modelVersion = c.modelVersion;
            d.modelLabel = c.predictedLabel;
            d.reviewerLabel = label.name();
            d.covid19 = c.covid19;
            d.normal = c.normal;
            d.pneumonia = c.pneumonia;
            d.recordedAt = now;
            d.persist();
        }
        c.status = ReviewCase.REVIEWED;
        c.claimedBy = null;
        c.claimExpiresAt = null;
        LabelAssigned event = new LabelAssigned(UUID.randomUUID(), now, LabelAssigned.SCHEMA_VERSION, imageId, label,
                reader, now, disagrees ? LabelAssigned.Reason.CORRECT : LabelAssigned.Reason.AGREE, c.modelVersion,
                ScreeningClass.valueOf(c.predictedLabel), comment);
        OutboxEntry out = new OutboxEntry();
        out.topic = Topics.LABELS;
        out.recordKey = imageId;
        out.payload = EventCodec.encode(event);
        out.createdAt = now;
        out.persist();
        AuditEntry.record(reader, "case.reviewed", imageId, label.name() + (disagrees ? " (model: "
                + c.predictedLabel + ")" : ""));
        return review;
    }

    /**
     * The reader holding the case now, or null; refuses (409) when another reader holds it.
     *
     * @param refusal the end of the refusal's message, after "case X is claimed by Y"
     */
    private static String refuseOtherHolder(ReviewCase c, String reader, Instant now, String refusal) {
        String holder = c.holder(now);
        if (holder != null && !holder.equals(reader)) {
            throw new ReviewException(409, "claimed_by_another", "case " + c.imageId + " is claimed by " + holder
                    + refusal);
        }
        return holder;
    }

    private ReviewCase require(String imageId, LockModeType lock) {
        ReviewCase c = em.find(ReviewCase.class, imageId, lock);
        if (c == null) {
            throw new ReviewException(404, "case_not_found", "no case for image '" + imageId
                    + "': it has no prediction yet, or the id is wrong");
        }
        return c;
    }

    /** Per model version: reviews, disagreements, and the confusion of model label vs reader label. */
    public record VersionAgreement(String modelVersion, long reviews, long disagreements, double agreementRate,
            Map<String, Map<String, Long>> confusion) {
    }

    @Transactional
    public List<VersionAgreement> agreement() {
        List<Object[]> rows = em.createQuery("select r.modelVersion, r.modelLabel, r.label, count(r) from Review r "
                + "where r.modelVersion is not null group by r.modelVersion, r.modelLabel, r.label "
                + "order by r.modelVersion", Object[].class).getResultList();
        Map<String, Map<String, Map<String, Long>>> byVersion = new LinkedHashMap<>();
        for (Object[] row : rows) {
            byVersion.computeIfAbsent((String) row[0], v -> new LinkedHashMap<>())
                    .computeIfAbsent((String) row[1], m -> new LinkedHashMap<>())
                    .merge((String) row[2], (Long) row[3], Long::sum);
        }
        List<VersionAgreement> out = new ArrayList<>();
        byVersion.forEach((version, confusion) -> {
            long total = confusion.values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum();
            long agree = confusion.entrySet().stream().mapToLong(e -> e.getValue().getOrDefault(e.getKey(), 0L)).sum();
            out.add(new VersionAgreement(version, total, total - agree, total == 0 ? 0 : (double) agree / total,
                    confusion));
        });
        return out;
    }

    /** Counts by predicted and by reviewed label, and turnaround from arrival to first review. */
    public record Statistics(Map<String, Long> predictedLabels, Map<String, Long> reviewedLabels, long flagged,
            long openFlagged, long reviewed, Double meanTurnaroundSeconds, Double medianTurnaroundSeconds,
            List<VersionAgreement> agreement) {
    }

    @Transactional
    public Statistics statistics() {
        Map<String, Long> predicted = counts("select predictedLabel, count(c) from ReviewCase c group by predictedLabel");
        Map<String, Long> reviewed = counts("select label, count(r) from Review r group by label");
        long flagged = ReviewCase.count("flagged = true");
        long open = ReviewCase.count("flagged = true and status = 'OPEN'");
        long done = ReviewCase.count("status = 'REVIEWED'");
        List<?> turnaround = em.createNativeQuery("select extract(epoch from (min(r.reviewed_at) - c.arrived_at)) "
                + "from review_cases c join reviews r on r.image_id = c.image_id where c.arrived_at is not null "
                + "group by c.image_id, c.arrived_at").getResultList();
        double[] seconds = turnaround.stream().mapToDouble(o -> ((Number) o).doubleValue()).sorted().toArray();
        Double mean = seconds.length == 0 ? null : Arrays.stream(seconds).average().orElse(0);
        Double median = seconds.length == 0 ? null : seconds[seconds.length / 2];
        return new Statistics(predicted, reviewed, flagged, open, done, mean, median, agreement());
    }

    private Map<String, Long> counts(String jpql) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Object[] row : em.createQuery(jpql, Object[].class).getResultList()) {
            out.put(((String) row[0]).toUpperCase(Locale.ROOT), (Long) row[1]);
        }
        return out;
    }

    /** The newest audit entries. */
    @Transactional
    public List<AuditEntry> audit(int page, int size) {
        return AuditEntry.findAll(Sort.descending("id")).page(page, size).list();
    }
}
