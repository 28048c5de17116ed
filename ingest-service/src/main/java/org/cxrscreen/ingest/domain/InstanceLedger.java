package org.cxrscreen.ingest.domain;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * The DICOM instances the ingest has received, by pseudonym, so that the same SOP instance sent
 * twice is published once. The row of an instance is locked while its event is published, so two
 * copies arriving at once are published once too; an event Kafka did not confirm leaves the row
 * unpublished, and the next copy publishes it.
 */
@ApplicationScoped
public class InstanceLedger {

    private final AgroalDataSource dataSource;

    public InstanceLedger(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Runs {@code publish} unless the instance was published before.
     *
     * @return true when published now, false for a copy of a published instance
     */
    public boolean publishOnce(String instanceId, String studyId, String source, Instant receivedAt, Runnable publish) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement insert = c.prepareStatement("insert into dicom_instance "
                        + "(instance_id, study_id, source, received_at) values (?, ?, ?, ?) "
                        + "on conflict (instance_id) do update set copies = dicom_instance.copies + 1")) {
                    insert.setString(1, instanceId);
                    insert.setString(2, studyId);
                    insert.setString(3, source);
                    insert.setTimestamp(4, Timestamp.from(receivedAt));
                    insert.executeUpdate();
                }
                boolean published;
                try (PreparedStatement lock = c.prepareStatement(
                        "select published_at from dicom_instance where instance_id = ? for update")) {
                    lock.setString(1, instanceId);
                    try (ResultSet rs = lock.executeQuery()) {
                        rs.next();
                        published = rs.getTimestamp(1) != null;
                    }
                }
                if (!published) {
                    publish.run();
                    try (PreparedStatement done = c.prepareStatement(
                            "update dicom_instance set published_at = now() where instance_id = ?")) {
                        done.setString(1, instanceId);
                        done.executeUpdate();
                    }
                }
                c.commit();
                return !published;
            } catch (RuntimeException | SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new LedgerUnavailableException("the instance ledger (PostgreSQL) is unavailable: " + e.getMessage(),
                    e);
        }
    }

    /** PostgreSQL could not be reached; nothing was accepted. */
    public static class LedgerUnavailableException extends RuntimeException {
        public LedgerUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
