package org.cxrscreen.training.dataset;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.cxrscreen.contracts.ImageReceived;
import org.cxrscreen.contracts.LabelAssigned;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.training.data.LabelledFolder;
import org.cxrscreen.training.data.LabelledImage;
import org.cxrscreen.training.data.PatientSplitter;
import org.cxrscreen.training.data.Split;
import org.cxrscreen.training.ml.ClassifierTrainer;
import org.cxrscreen.training.persistence.DataSetEntry;
import org.cxrscreen.training.persistence.DataSetEntry.Origin;
import org.cxrscreen.training.persistence.LabelEvent;
import org.cxrscreen.training.persistence.StoredImage;
import org.jboss.logging.Logger;

/**
 * The labelled data set: the base set (an imported labelled folder, split once by patient into train,
 * validation and a frozen test part that is never trained on) and the radiologists' labels, each with
 * its provenance, over the image files of {@link ImageStore}.
 */
@ApplicationScoped
public class DataSet {

    private static final Logger LOG = Logger.getLogger(DataSet.class);
    private static final int IMPORT_BATCH = 200;

    private final ImageStore images;

    public DataSet(ImageStore images) {
        this.images = images;
    }

    /** Keeps an image from {@code xray.images.v1}; a second delivery changes nothing. */
    @Transactional
    public void recordImage(ImageReceived event) {
        if (StoredImage.findById(event.imageId()) != null) {
            return;
        }
        StoredImage image = new StoredImage();
        image.imageId = event.imageId();
        image.file = images.write(event.imageId(), event.png(), "png");
        image.source = event.source();
        image.studyId = event.studyId();
        image.receivedAt = event.receivedAt();
        image.persist();
        DataSetEntry entry = DataSetEntry.findById(event.imageId());
        if (entry != null && entry.origin == Origin.REVIEW && event.studyId() != null) {
            entry.patient = event.studyId();
        }
    }

    /**
     * Keeps a radiologist's label: the event for provenance, and the image's current label (the latest
     * by {@code labelledAt}). A changed label counts as a new one; a second delivery changes nothing.
     */
    @Transactional
    public void recordLabel(LabelAssigned event) {
        if (LabelEvent.findById(event.eventId()) != null) {
            return;
        }
        LabelEvent provenance = new LabelEvent();
        provenance.eventId = event.eventId();
        provenance.imageId = event.imageId();
        provenance.label = event.label().name();
        provenance.reviewerId = event.reviewerId();
        provenance.labelledAt = event.labelledAt();
        provenance.reason = event.reason().name();
        provenance.modelVersion = event.modelVersion();
        provenance.modelLabel = event.modelLabel() == null ? null : event.modelLabel().name();
        provenance.comment = event.comment();
        provenance.receivedAt = Instant.now();
        provenance.persist();

        DataSetEntry entry = DataSetEntry.findById(event.imageId());
        if (entry != null && entry.labelledAt.isAfter(event.labelledAt())) {
            return;
        }
        boolean changed = entry == null || entry.label != event.label();
        if (entry == null) {
            StoredImage image = StoredImage.findById(event.imageId());
            entry = new DataSetEntry();
            entry.imageId = event.imageId();
            entry.origin = Origin.REVIEW;
            entry.part = Split.Part.TRAIN;
            entry.patient = image != null && image.studyId != null ? image.studyId : event.imageId();
            entry.source = "review";
        }
        entry.label = event.label();
        entry.reviewerId = event.reviewerId();
        entry.labelledAt = event.labelledAt();
        entry.reason = event.reason().name();
        entry.modelVersion = event.modelVersion();
        entry.modelLabel = event.modelLabel();
        entry.updatedAt = Instant.now();
        if (changed) {
            entry.labelSeq = nextLabelSeq();
        }
        if (!entry.isPersistent()) {
            entry.persist();
        }
    }

    private static long nextLabelSeq() {
        return ((Number) DataSetEntry.getEntityManager().createNativeQuery("select nextval('label_seq')")
                .getSingleResult()).longValue();
    }

    /** What an import did. */
    public record ImportResult(String folder, int imported, int alreadyThere, int unreadable,
            Map<String, Map<String, Long>> parts, List<String> warnings) {
    }

    /**
     * Imports a labelled folder (the CLI's layout) as base set: its images are copied into the store and
     * split by patient, 80/10/10, into train, validation and the frozen test part. Images already in the
     * data set are left as they are.
     */
    public ImportResult importFolder(Path folder, int limitPerClass, long splitSeed) {
        List<LabelledImage> all = LabelledFolder.limitPerClass(LabelledFolder.read(folder), limitPerClass, splitSeed);
        Split split = PatientSplitter.standard(splitSeed).split(all);
        int imported = 0;
        int there = 0;
        int unreadable = 0;
        Map<String, Map<String, Long>> parts = new LinkedHashMap<>();
        for (Split.Part part : Split.Part.values()) {
            List<LabelledImage> members = split.part(part);
            for (int from = 0; from < members.size(); from += IMPORT_BATCH) {
                List<LabelledImage> batch = members.subList(from, Math.min(members.size(), from + IMPORT_BATCH));
                int[] outcome = QuarkusTransaction.requiringNew().call(() -> importBatch(batch, part, folder));
                imported += outcome[0];
                there += outcome[1];
                unreadable += outcome[2];
            }
            parts.put(part.name(), ClassifierTrainer.counts(members));
        }
        LOG.infof("imported %s as base set: %d new images, %d already there, %d unreadable; %s", folder, imported,
                there, unreadable, parts);
        return new ImportResult(folder.toString(), imported, there, unreadable, parts, split.warnings());
    }

    private int[] importBatch(List<LabelledImage> batch, Split.Part part, Path folder) {
        int[] outcome = new int[3];
        for (LabelledImage image : batch) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(image.file());
            } catch (IOException e) {
                LOG.warnf("import: cannot read %s: %s", image.file(), e.getMessage());
                outcome[2]++;
                continue;
            }
            String id = contentId(bytes);
            if (DataSetEntry.findById(id) != null) {
                outcome[1]++;
                continue;
            }
            String name = image.file().getFileName().toString().toLowerCase(Locale.ROOT);
            String extension = name.endsWith(".png") ? "png" : "jpg";
            if (StoredImage.findById(id) == null) {
                StoredImage stored = new StoredImage();
                stored.imageId = id;
                stored.file = images.write(id, bytes, extension);
                stored.source = "import";
                stored.receivedAt = Instant.now();
                stored.persist();
            }
            DataSetEntry entry = new DataSetEntry();
            entry.imageId = id;
            entry.origin = Origin.BASE;
            entry.part = part;
            entry.label = image.label();
            entry.patient = image.patient();
            entry.source = image.source() == null || image.source().isBlank() ? folder.getFileName().toString()
                    : image.source();
            entry.reviewerId = null;
            entry.labelledAt = Instant.now();
            entry.reason = "IMPORT";
            entry.labelSeq = 0;
            entry.updatedAt = entry.labelledAt;
            entry.persist();
            outcome[0]++;
        }
        return outcome;
    }

    private static String contentId(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether a base set was imported. */
    @Transactional
    public boolean hasBaseSet() {
        return DataSetEntry.count("origin", Origin.BASE) > 0;
    }

    /** Reviewed labels (with their image) changed after {@code seq}. */
    @Transactional
    public long newLabels(long seq) {
        return DataSetEntry.getEntityManager().createQuery("select count(d) from DataSetEntry d, StoredImage s "
                + "where s.imageId = d.imageId and d.origin = :origin and d.labelSeq > :seq", Long.class)
                .setParameter("origin", Origin.REVIEW).setParameter("seq", seq).getSingleResult();
    }

    /** The data set in figures. */
    public record Summary(Map<String, Map<String, Long>> base, Map<String, Long> reviewed, long reviewedAwaitingImage,
            long labelEvents, long storedImages, long lastLabelSeq) {
    }

    @Transactional
    public Summary summary() {
        Map<String, Map<String, Long>> base = new LinkedHashMap<>();
        for (Split.Part part : Split.Part.values()) {
            base.put(part.name(), countByLabel("d.origin = :origin and d.part = :part",
                    Map.of("origin", Origin.BASE, "part", part)));
        }
        Map<String, Long> reviewed = countByLabel("d.origin = :origin", Map.of("origin", Origin.REVIEW));
        long withImage = newLabels(-1);
        long reviewedTotal = reviewed.values().stream().mapToLong(Long::longValue).sum();
        Number last = (Number) DataSetEntry.getEntityManager()
                .createQuery("select coalesce(max(d.labelSeq), 0) from DataSetEntry d").getSingleResult();
        return new Summary(base, reviewed, reviewedTotal - withImage, LabelEvent.count(), StoredImage.count(),
                last.longValue());
    }

    /** Entries by label, every class present (0 when none). */
    private static Map<String, Long> countByLabel(String where, Map<String, Object> params) {
        var query = DataSetEntry.getEntityManager().createQuery("select d.label, count(d) from DataSetEntry d where "
                + where + " group by d.label", Object[].class);
        params.forEach(query::setParameter);
        Map<String, Long> counts = new LinkedHashMap<>();
        for (ScreeningClass c : ScreeningClass.values()) {
            counts.put(c.name(), 0L);
        }
        query.getResultList().forEach(row -> counts.put(((ScreeningClass) row[0]).name(), (Long) row[1]));
        return counts;
    }

    /**
     * The images of one run.
     *
     * @param train what it trains on: the new labels and the replay sample (everything for a bootstrap)
     * @param newLabels how many of {@code train} are new labels
     * @param validation the base set's validation part (early stopping, operating point)
     * @param test the frozen test part (the gate)
     * @param disagreements the latest reviewed images whose reviewer disagreed with the model
     * @param labelsThrough the highest label sequence number among the new labels
     */
    public record RunData(List<LabelledImage> train, int newLabels, List<LabelledImage> validation,
            List<LabelledImage> test, List<LabelledImage> disagreements, long labelsThrough) {

        public Split split() {
            return new Split(train, validation, test, List.of());
        }

        public Map<String, Object> counts() {
            Map<String, Object> counts = new LinkedHashMap<>();
            counts.put("train", ClassifierTrainer.counts(train));
            counts.put("newLabels", newLabels);
            counts.put("replay", train.size() - newLabels);
            counts.put("validation", ClassifierTrainer.counts(validation));
            counts.put("test", ClassifierTrainer.counts(test));
            counts.put("disagreements", ClassifierTrainer.counts(disagreements));
            return counts;
        }
    }

    /** A starter model's data: the base set's parts. */
    @Transactional
    public RunData forBootstrap() {
        return new RunData(part(Split.Part.TRAIN), 0, part(Split.Part.VALIDATION), part(Split.Part.TEST), List.of(),
                0);
    }

    /**
     * A fine-tuning run's data: the labels changed after {@code since}, plus a replay sample of the base
     * set's train part and earlier labels ({@code perLabel} per new label, at least {@code min}).
     */
    @Transactional
    public RunData forFineTuning(long since, int perLabel, int min, int disagreementCases, long seed) {
        List<Row> reviewed = rows("d.origin = :origin", Map.of("origin", Origin.REVIEW));
        List<LabelledImage> fresh = new ArrayList<>();
        List<LabelledImage> pool = new ArrayList<>(part(Split.Part.TRAIN));
        long through = since;
        for (Row row : reviewed) {
            if (row.entry().labelSeq > since) {
                fresh.add(row.image());
                through = Math.max(through, row.entry().labelSeq);
            } else {
                pool.add(row.image());
            }
        }
        Collections.shuffle(pool, new Random(seed));
        List<LabelledImage> train = new ArrayList<>(fresh);
        train.addAll(pool.subList(0, Math.min(pool.size(), Math.max(min, perLabel * fresh.size()))));
        List<LabelledImage> disagreements = reviewed.stream()
                .filter(r -> r.entry().modelLabel != null && r.entry().modelLabel != r.entry().label)
                .sorted((a, b) -> b.entry().labelledAt.compareTo(a.entry().labelledAt))
                .limit(disagreementCases)
                .map(Row::image)
                .toList();
        return new RunData(train, fresh.size(), part(Split.Part.VALIDATION), part(Split.Part.TEST), disagreements,
                through);
    }

    private record Row(DataSetEntry entry, LabelledImage image) {
    }

    private List<LabelledImage> part(Split.Part part) {
        return rows("d.origin = :origin and d.part = :part", Map.of("origin", Origin.BASE, "part", part)).stream()
                .map(Row::image).toList();
    }

    private List<Row> rows(String where, Map<String, Object> params) {
        var query = DataSetEntry.getEntityManager().createQuery("select d, s.file from DataSetEntry d, StoredImage s "
                + "where s.imageId = d.imageId and " + where + " order by d.imageId", Object[].class);
        params.forEach(query::setParameter);
        return query.getResultList().stream()
                .map(r -> {
                    DataSetEntry d = (DataSetEntry) r[0];
                    return new Row(d, new LabelledImage(images.resolve((String) r[1]), d.label, d.patient, d.source));
                })
                .toList();
    }

    /** Deletes the images nobody labelled that are older than {@code retention}; the number deleted. */
    public int purge(Duration retention) {
        Instant before = Instant.now().minus(retention);
        List<StoredImage> old = QuarkusTransaction.requiringNew().call(() -> StoredImage.<StoredImage>list(
                "receivedAt < ?1 and imageId not in (select d.imageId from DataSetEntry d)", before));
        int deleted = 0;
        for (StoredImage image : old) {
            boolean gone = QuarkusTransaction.requiringNew().call(() -> StoredImage.delete(
                    "imageId = ?1 and imageId not in (select d.imageId from DataSetEntry d)", image.imageId) > 0);
            if (gone) {
                try {
                    images.delete(image.file);
                } catch (UncheckedIOException e) {
                    LOG.warnf("purge: %s", e.getMessage());
                }
                deleted++;
            }
        }
        return deleted;
    }
}
