package org.cxrscreen.training.loop;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.cxrscreen.training.config.TrainingConfig;
import org.cxrscreen.training.dataset.DataSet;
import org.cxrscreen.training.persistence.TrainingRun;
import org.jboss.logging.Logger;

/**
 * The schedule: at each tick of {@code training.schedule.cron}, a fine-tuning run starts if a model
 * serves, no run is under way, and at least {@code training.schedule.min-new-labels} labels arrived
 * since the last run. Hourly, images nobody labelled are deleted after {@code training.image-retention}.
 */
@ApplicationScoped
public class Schedule {

    private static final Logger LOG = Logger.getLogger(Schedule.class);

    private final TrainingConfig config;
    private final DataSet dataSet;
    private final Runs runs;
    private final Promotions promotions;

    public Schedule(TrainingConfig config, DataSet dataSet, Runs runs, Promotions promotions) {
        this.config = config;
        this.dataSet = dataSet;
        this.runs = runs;
        this.promotions = promotions;
    }

    @Scheduled(cron = "${training.schedule.cron}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        if (!config.schedule().enabled() || runs.active() || promotions.current().isEmpty()) {
            return;
        }
        long fresh = dataSet.newLabels(runs.labelsSeen());
        if (fresh >= config.schedule().minNewLabels()) {
            LOG.infof("%d new labels (at least %d): starting a fine-tuning run", fresh,
                    config.schedule().minNewLabels());
            try {
                runs.request(TrainingRun.Kind.SCHEDULED, "schedule", RunRequest.NONE);
            } catch (Runs.Busy e) {
                LOG.debug(e.getMessage());
            }
        }
    }

    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purge() {
        int deleted = dataSet.purge(config.imageRetention());
        if (deleted > 0) {
            LOG.infof("deleted %d unlabelled images older than %s", deleted, config.imageRetention());
        }
    }
}
