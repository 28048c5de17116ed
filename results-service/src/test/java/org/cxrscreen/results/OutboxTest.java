package org.cxrscreen.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.cxrscreen.contracts.EventCodec;
import org.cxrscreen.contracts.LabelAssigned;
import org.cxrscreen.contracts.PredictionMade;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.contracts.Topics;
import org.cxrscreen.results.review.OutboxEntry;
import org.cxrscreen.results.review.OutboxRelay;
import org.cxrscreen.testsupport.JwtResource;
import org.cxrscreen.testsupport.KafkaResource;
import org.cxrscreen.testsupport.KafkaTestBroker;
import org.cxrscreen.testsupport.PostgresResource;
import org.cxrscreen.testsupport.TopicClient;
import org.junit.jupiter.api.Test;

/**
 * Kafka down at the moment of a review: the review is accepted, its label waits in the outbox, and
 * reaches the labels topic once a broker answers. The scheduled relay is off here so the test drives
 * one relay that cannot reach any broker, then one that can.
 */
@QuarkusTest
@TestProfile(OutboxTest.RelayOff.class)
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "results"))
@QuarkusTestResource(JwtResource.class)
class OutboxTest {

    public static class RelayOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("results.review.outbox-interval", "off");
        }
    }

    private final TopicClient topic = new TopicClient(KafkaTestBroker.bootstrapServers());

    @Test
    void aLabelReviewedWhileKafkaIsDownArrivesWhenItIsBack() throws Exception {
        String id = "img-" + UUID.randomUUID();
        Instant now = Instant.now();
        topic.send(Topics.PREDICTIONS, id, new PredictionMade(UUID.randomUUID(), now, 1, id, "cxr", "v1",
                ScreeningClass.COVID19, Map.of(ScreeningClass.COVID19, 0.9, ScreeningClass.NORMAL, 0.05,
                        ScreeningClass.PNEUMONIA, 0.05), "w", 1.0, now));
        await().atMost(Duration.ofSeconds(30)).until(() -> ReviewTest.as("rita", "radiologist")
                .get("/api/v1/review/cases/" + id).statusCode() == 200);
        ReviewTest.as("rita", "radiologist").contentType("application/json").body("{\"label\": \"NORMAL\"}")
                .post("/api/v1/review/cases/" + id + "/reviews").then().statusCode(201);

        int deadPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            deadPort = socket.getLocalPort();
        }
        OutboxRelay down = new OutboxRelay("127.0.0.1:" + deadPort);
        try {
            assertThat(QuarkusTransaction.requiringNew().call(down::relayBatch)).isZero();
        } finally {
            down.close();
        }
        assertThat(unsent(id)).isEqualTo(1);
        assertThat(topic.readKey(Topics.LABELS, id, 1, Duration.ofSeconds(2))).isEmpty();

        OutboxRelay back = new OutboxRelay(KafkaTestBroker.bootstrapServers());
        try {
            assertThat(QuarkusTransaction.requiringNew().call(back::relayBatch)).isGreaterThanOrEqualTo(1);
        } finally {
            back.close();
        }
        assertThat(unsent(id)).isZero();
        var labels = topic.readKey(Topics.LABELS, id, 1, Duration.ofSeconds(20));
        assertThat(labels).hasSize(1);
        assertThat(EventCodec.decode(labels.get(0).value(), LabelAssigned.class).label()).isEqualTo(ScreeningClass.NORMAL);
    }

    private static long unsent(String id) {
        return QuarkusTransaction.requiringNew().call(() -> OutboxEntry.count("recordKey = ?1 and sentAt is null", id));
    }
}
