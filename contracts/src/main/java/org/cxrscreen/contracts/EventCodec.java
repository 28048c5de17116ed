package org.cxrscreen.contracts;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The JSON form of every event: ISO-8601 times, byte arrays as base64, unknown fields ignored so
 * that a consumer reads records from newer producers that only added fields.
 */
public final class EventCodec {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private EventCodec() {
    }

    /** Jackson's message without its advice on configuring Jackson. */
    private static String plain(String message) {
        int advice = message == null ? -1 : message.indexOf(" (set DeserializationConfig");
        return advice < 0 ? String.valueOf(message) : message.substring(0, advice);
    }

    /** The mapper configured for events, for callers that need JSON trees. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] encode(Event event) {
        try {
            return MAPPER.writeValueAsBytes(event);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + event.getClass().getSimpleName(), e);
        }
    }

    /**
     * Reads one event.
     *
     * @throws InvalidEventException saying what was wrong, when the bytes are not a valid event of
     *     that type (not JSON, a missing or malformed field)
     */
    public static <T extends Event> T decode(byte[] json, Class<T> type) {
        String name = type.getSimpleName();
        if (json == null || json.length == 0) {
            throw new InvalidEventException("empty record where a " + name + " event was expected");
        }
        try {
            T event = MAPPER.readValue(json, type);
            if (event == null) {
                throw new InvalidEventException("null record where a " + name + " event was expected");
            }
            return event;
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new InvalidEventException("invalid " + name + " event: " + cause.getMessage(), e);
        } catch (JsonMappingException e) {
            String field = e.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .reduce((a, b) -> a + "." + b)
                    .map(path -> path + ": ")
                    .orElse("");
            throw new InvalidEventException("invalid " + name + " event: " + field + plain(e.getOriginalMessage()), e);
        } catch (JacksonException e) {
            throw new InvalidEventException("invalid " + name + " event: " + plain(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
