package org.cxrscreen.training.loop;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.cxrscreen.model.ModelDirectory;
import org.cxrscreen.training.config.TrainingConfig;
import org.cxrscreen.training.dataset.DataSet;
import org.cxrscreen.training.domain.ModelRegistry;
import org.cxrscreen.training.persistence.Promotion;
import org.cxrscreen.training.persistence.TrainingRun;
import org.jboss.logging.Logger;

/**
 * A fresh installation becomes useful by itself. At start, on the run thread: runs cut off by a restart
 * are dealt with; the configured labelled folder is imported as the base set if there is none; and if
 * no version has ever been promoted, the service serves the configured model directory, or adopts the
 * newest model already in its registry, or trains a starter model on the base set (a bootstrap run,
 * judged by the recall target alone since there is nothing to compare it with).
 */
@ApplicationScoped
public class Bootstrap {

    private static final Logger LOG = Logger.getLogger(Bootstrap.class);
    static final String BY = "bootstrap";

    private final TrainingConfig config;
    private final DataSet dataSet;
    private final Runs runs;
    private final Promotions promotions;

    public Bootstrap(TrainingConfig config, DataSet dataSet, Runs runs, Promotions promotions) {
        this.config = config;
        this.dataSet = dataSet;
        this.runs = runs;
        this.promotions = promotions;
    }

    void onStart(@Observes StartupEvent event) {
        runs.submit(this::run);
    }

    private void run() {
        runs.recover();
        TrainingConfig.Bootstrap bootstrap = config.bootstrap();
        if (bootstrap.data().isPresent() && !dataSet.hasBaseSet()) {
            Path folder = bootstrap.data().get();
            LOG.infof("no base set yet: importing %s", folder);
            dataSet.importFolder(folder, bootstrap.limitPerClass(), bootstrap.splitSeed());
        }
        if (promotions.current().isPresent()) {
            promotions.publishPending();
            return;
        }
        Optional<ModelRegistry.Entry> given = bootstrap.model().map(this::register);
        Optional<ModelRegistry.Entry> first = given.or(() -> promotions.registry().list().stream().findFirst());
        if (first.isPresent()) {
            ModelRegistry.Entry entry = first.get();
            LOG.infof("nothing promoted yet: serving %s (%s)", entry.card().version(),
                    given.isPresent() ? "training.bootstrap.model" : "the newest model in " + config.modelsDir());
            promotions.promote(entry, BY, Promotion.Reason.BOOTSTRAP, null);
            promotions.publishPending();
        } else if (dataSet.hasBaseSet()) {
            LOG.info("no model at all: training a starter model on the base set");
            runs.request(TrainingRun.Kind.BOOTSTRAP, BY, RunRequest.NONE);
        } else {
            LOG.warn("no model and no labelled data to train one: set training.bootstrap.data (a labelled folder) "
                    + "or training.bootstrap.model, or import a folder with POST /api/v1/dataset/import");
        }
    }

    /** Copies a model directory into the registry (unless it is there) and returns its entry as the registry verified it. */
    private ModelRegistry.Entry register(Path dir) {
        var card = ModelDirectory.read(dir);
        Path target = config.modelsDir().resolve(card.version());
        if (!Files.isDirectory(target)) {
            try {
                Files.createDirectories(target);
                try (var files = Files.list(dir)) {
                    for (Path file : files.filter(Files::isRegularFile).toList()) {
                        Files.copy(file, target.resolve(file.getFileName()));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy " + dir + " into " + config.modelsDir(), e);
            }
        }
        return promotions.registry().find(card.version()).orElseThrow(() -> new IllegalStateException(
                "the copy of " + dir + " in " + target + " does not verify"));
    }
}
