package org.cxrscreen.contracts;

import org.apache.kafka.common.serialization.Serializer;

/** Kafka serializer for every event type ({@code value.serializer} of the producers). */
public class EventSerializer implements Serializer<Event> {

    @Override
    public byte[] serialize(String topic, Event event) {
        return event == null ? null : EventCodec.encode(event);
    }
}
