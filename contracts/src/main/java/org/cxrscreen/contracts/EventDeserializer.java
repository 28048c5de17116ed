package org.cxrscreen.contracts;

import org.apache.kafka.common.serialization.Deserializer;

/** Kafka deserializer for one event type, for tools and tests that read a topic directly. */
public class EventDeserializer<T extends Event> implements Deserializer<T> {

    private final Class<T> type;

    public EventDeserializer(Class<T> type) {
        this.type = type;
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        return data == null ? null : EventCodec.decode(data, type);
    }
}
