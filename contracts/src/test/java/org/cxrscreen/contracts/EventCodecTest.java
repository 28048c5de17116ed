package org.cxrscreen.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Holds each event's JSON shape to a checked-in fixture: a renamed, removed or re-typed field fails
 * here, so a change to the wire format is visible in review.
 */
class EventCodecTest {

    static java.util.stream.Stream<Arguments> fixtures() {
        return java.util.stream.Stream.of(
                Arguments.of("image-received.v1.json", ImageReceived.class),
                Arguments.of("prediction-made.v1.json", PredictionMade.class),
                Arguments.of("label-assigned.v1.json", LabelAssigned.class),
                Arguments.of("model-published.v1.json", ModelPublished.class));
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void fixtureRoundTripsToTheSameJson(String fixture, Class<? extends Event> type) throws IOException {
        byte[] json = read(fixture);

        Event event = EventCodec.decode(json, type);
        JsonNode written = EventCodec.mapper().readTree(EventCodec.encode(event));

        assertThat(written).isEqualTo(EventCodec.mapper().readTree(json));
        assertThat(event.schemaVersion()).isEqualTo(1);
    }

    @Test
    void imageReceivedCarriesThePngAsBase64AndTheMetadataAsPlainFields() throws IOException {
        ImageReceived event = EventCodec.decode(read("image-received.v1.json"), ImageReceived.class);

        assertThat(event.imageId()).isEqualTo("9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9c");
        assertThat(event.eventId()).isEqualTo(UUID.fromString("0b7f4c1e-8a51-4d6b-9e0a-2f3d5c7a9b10"));
        assertThat(event.receivedAt()).isEqualTo(Instant.parse("2026-11-23T09:15:02.100Z"));
        assertThat(event.originalWidth()).isEqualTo(2048);
        assertThat(event.height()).isEqualTo(1024);
        assertThat(new String(event.png(), 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
    }

    @Test
    void predictionProbabilitiesAreKeyedByClassName() throws IOException {
        PredictionMade event = EventCodec.decode(read("prediction-made.v1.json"), PredictionMade.class);

        assertThat(event.label()).isEqualTo(ScreeningClass.PNEUMONIA);
        assertThat(event.probabilities()).containsExactly(
                Map.entry(ScreeningClass.COVID19, 0.02),
                Map.entry(ScreeningClass.NORMAL, 0.13),
                Map.entry(ScreeningClass.PNEUMONIA, 0.85));
    }

    @Test
    void unknownFieldsFromANewerProducerAreIgnored() throws IOException {
        ObjectNode json = (ObjectNode) EventCodec.mapper().readTree(read("label-assigned.v1.json"));
        json.put("addedInSchema2", "anything");

        LabelAssigned event = EventCodec.decode(EventCodec.mapper().writeValueAsBytes(json), LabelAssigned.class);

        assertThat(event.label()).isEqualTo(ScreeningClass.COVID19);
        assertThat(event.reason()).isEqualTo(LabelAssigned.Reason.CORRECT);
    }

    @Test
    void aMissingRequiredFieldIsRefusedWithItsName() throws IOException {
        ObjectNode json = (ObjectNode) EventCodec.mapper().readTree(read("prediction-made.v1.json"));
        json.remove("modelVersion");
        byte[] bytes = EventCodec.mapper().writeValueAsBytes(json);

        assertThatThrownBy(() -> EventCodec.decode(bytes, PredictionMade.class))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("PredictionMade")
                .hasMessageContaining("modelVersion is required");
    }

    @Test
    void aMissingEnvelopeNumberIsNamed() throws IOException {
        ObjectNode json = (ObjectNode) EventCodec.mapper().readTree(read("prediction-made.v1.json"));
        json.remove("schemaVersion");
        byte[] bytes = EventCodec.mapper().writeValueAsBytes(json);

        assertThatThrownBy(() -> EventCodec.decode(bytes, PredictionMade.class))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("invalid PredictionMade event: schemaVersion: ")
                .hasMessageNotContaining("DeserializationConfig");
    }

    @Test
    void notJsonIsRefusedAsInvalidEvent() {
        assertThatThrownBy(() -> EventCodec.decode("\u0089PNG garbage".getBytes(StandardCharsets.UTF_8),
                ImageReceived.class))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("invalid ImageReceived event");
        assertThatThrownBy(() -> EventCodec.decode(new byte[0], ImageReceived.class))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("empty record");
    }

    @Test
    void aProbabilityOutsideZeroToOneIsRefused() throws IOException {
        ObjectNode json = (ObjectNode) EventCodec.mapper().readTree(read("prediction-made.v1.json"));
        ((ObjectNode) json.get("probabilities")).put("NORMAL", 1.7);
        byte[] bytes = EventCodec.mapper().writeValueAsBytes(json);

        assertThatThrownBy(() -> EventCodec.decode(bytes, PredictionMade.class))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("NORMAL=1.7");
    }

    @Test
    void classNamesAreParsedAsDataSetsWriteThem() {
        assertThat(ScreeningClass.parse("COVID-19")).isEqualTo(ScreeningClass.COVID19);
        assertThat(ScreeningClass.parse("covid19")).isEqualTo(ScreeningClass.COVID19);
        assertThat(ScreeningClass.parse(" Normal ")).isEqualTo(ScreeningClass.NORMAL);
        assertThatThrownBy(() -> ScreeningClass.parse("tuberculosis"))
                .hasMessageContaining("expected one of COVID19, NORMAL, PNEUMONIA");
    }

    @Test
    void theSerializerWritesWhatTheDeserializerReads() throws IOException {
        ImageReceived event = EventCodec.decode(read("image-received.v1.json"), ImageReceived.class);
        byte[] bytes = new EventSerializer().serialize(Topics.IMAGES, event);

        ImageReceived back = new EventDeserializer<>(ImageReceived.class).deserialize(Topics.IMAGES, bytes);

        assertThat(back.png()).isEqualTo(event.png());
        assertThat(back).usingRecursiveComparison().isEqualTo(event);
        assertThat(Base64.getEncoder().encodeToString(back.png())).startsWith("iVBORw0KGgo");
    }

    private static byte[] read(String fixture) throws IOException {
        try (InputStream in = EventCodecTest.class.getResourceAsStream("/events/" + fixture)) {
            assertThat(in).as("fixture %s", fixture).isNotNull();
            return in.readAllBytes();
        }
    }
}
