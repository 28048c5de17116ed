package org.cxrscreen.inference.pipeline;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness: down when the images pipeline stopped by itself (Kafka refused a prediction for good), so
 * the orchestrator restarts the worker and the uncommitted images are consumed again.
 */
@Liveness
@ApplicationScoped
public class PipelineLiveness implements HealthCheck {

    private final ImagePipeline pipeline;

    public PipelineLiveness(ImagePipeline pipeline) {
        this.pipeline = pipeline;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("images-pipeline")
                .status(pipeline.state() != ImagePipeline.State.FAILED)
                .withData("state", pipeline.state().name());
        if (pipeline.failure() != null) {
            response.withData("failure", pipeline.failure());
        }
        return response.build();
    }
}
