package org.cxrscreen.training.loop;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import org.cxrscreen.training.persistence.TrainingRun;

/**
 * A run as the API shows it: what started it, its options and data counts, the serving model's and the
 * candidate's figures (on the frozen test set and the disagreement cases), the decision and its reasons,
 * and its progress (live while it runs).
 */
public record RunView(long id, String kind, String status, String requestedBy, Instant requestedAt,
        Instant startedAt, Instant finishedAt, Double seconds, String baseVersion, String candidateVersion,
        Long labelsThrough, JsonNode options, JsonNode data, JsonNode serving, JsonNode candidate, String decision,
        List<String> reasons, JsonNode progress, String error) {

    static RunView of(TrainingRun r, RunProgress.Snapshot live) {
        JsonNode progress = live != null ? Runs.tree(live) : tree(r.progress);
        return new RunView(r.id, r.kind.name(), r.status.name(), r.requestedBy, r.requestedAt, r.startedAt,
                r.finishedAt, r.seconds, r.baseVersion, r.candidateVersion, r.labelsThrough, tree(r.options),
                tree(r.data), tree(r.servingMetrics), tree(r.candidateMetrics), r.decision,
                r.reasons == null ? List.of() : Runs.read(r.reasons, List.class), progress, r.error);
    }

    private static JsonNode tree(String json) {
        return json == null ? null : Runs.read(json, JsonNode.class);
    }
}
