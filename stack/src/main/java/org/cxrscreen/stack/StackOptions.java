package org.cxrscreen.stack;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code cxr up} starts and where.
 *
 * @param home the repository root (the services' built applications are under it)
 * @param workDir state that survives a restart: broker and database files, models, logs
 * @param data labelled folder the training service imports as its base set and trains a starter model
 *     on when there is no model yet
 * @param model a model directory the training service registers and serves when there is none
 * @param starterEpochs epochs of the starter model's training
 * @param starterLimitPerClass images per class imported from {@code data} (0: all)
 * @param postgresUrl JDBC URL of an existing PostgreSQL server; empty: embedded PostgreSQL
 * @param postgresUser user on that server
 * @param postgresPassword its password
 * @param ports the ports to listen on
 * @param trainingEnv more environment for the training service (its schedule, gate, ...)
 */
public record StackOptions(
        Path home,
        Path workDir,
        Optional<Path> data,
        Optional<Path> model,
        int starterEpochs,
        int starterLimitPerClass,
        Optional<String> postgresUrl,
        String postgresUser,
        String postgresPassword,
        Ports ports,
        Map<String, String> trainingEnv) {

    public StackOptions {
        trainingEnv = Map.copyOf(trainingEnv);
    }

    /** Listening ports. */
    public record Ports(int kafka, int kafkaController, int postgres, int ingest, int inference, int results,
            int training, int dicom) {

        public static Ports defaults() {
            return new Ports(9092, 9093, 55432, 8081, 8082, 8083, 8084, 11112);
        }
    }
}
