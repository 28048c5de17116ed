package org.cxrscreen.inference.ml;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness: up only once the model has answered its warm-up prediction; names the served version. */
@Readiness
@ApplicationScoped
public class ModelReadiness implements HealthCheck {

    private final ClassifierService classifier;

    public ModelReadiness(ClassifierService classifier) {
        this.classifier = classifier;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("model")
                .status(classifier.warm())
                .withData("version", classifier.card().version())
                .build();
    }
}
