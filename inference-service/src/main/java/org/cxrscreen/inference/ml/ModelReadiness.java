package org.cxrscreen.inference.ml;

import jakarta.enterprise.context.ApplicationScoped;
import org.cxrscreen.inference.pipeline.ImagePipeline;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: up only once a model has answered its warm-up batch and the images consumer runs; names
 * the served version and its device.
 */
@Readiness
@ApplicationScoped
public class ModelReadiness implements HealthCheck {

    private final ModelHolder models;
    private final ImagePipeline pipeline;

    public ModelReadiness(ModelHolder models, ImagePipeline pipeline) {
        this.models = models;
        this.pipeline = pipeline;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("model")
                .status(models.card().isPresent() && pipeline.state() == ImagePipeline.State.RUNNING)
                .withData("consumer", pipeline.state().name());
        models.card().ifPresent(card -> response.withData("version", card.version()));
        models.device().ifPresent(device -> response.withData("device", device));
        return response.build();
    }
}
