package org.cxrscreen.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Searches everything the system keeps for given values (patient names, IDs, birth dates, accession
 * numbers, UIDs): every record of every topic (keys, values, headers), every row of every table of
 * the given databases (as text, and bytea in hex), and every file under a folder. Collects where each
 * was found.
 */
final class PatientDataSearch {

    private final List<String> needles;
    private final List<String> found = new ArrayList<>();
    private long searched;

    PatientDataSearch(List<String> needles) {
        this.needles = List.copyOf(needles);
    }

    void kafka(String bootstrap) throws Exception {
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        Set<String> topics;
        try (Admin client = Admin.create(admin)) {
            topics = client.listTopics().names().get();
        }
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "phi-search-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(topics);
            int empty = 0;
            while (empty < 15) {
                var records = consumer.poll(Duration.ofMillis(400));
                empty = records.isEmpty() ? empty + 1 : 0;
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    String where = "kafka " + r.topic() + "@" + r.partition() + ":" + r.offset();
                    bytes(where + " key", r.key());
                    bytes(where + " value", r.value());
                    for (Header h : r.headers()) {
                        bytes(where + " header " + h.key(), h.value());
                    }
                }
            }
        }
    }

    void postgres(String serverUrl, String user, String password, List<String> databases) throws Exception {
        for (String database : databases) {
            try (Connection c = DriverManager.getConnection(serverUrl + database, user, password);
                    Statement s = c.createStatement()) {
                List<String> tables = new ArrayList<>();
                try (ResultSet rs = s.executeQuery("select table_schema || '.' || table_name from "
                        + "information_schema.tables where table_schema not in ('pg_catalog', 'information_schema')")) {
                    while (rs.next()) {
                        tables.add(rs.getString(1));
                    }
                }
                for (String table : tables) {
                    try (ResultSet rs = s.executeQuery("select t::text from " + table + " t")) {
                        while (rs.next()) {
                            // bytea columns come as \x<hex>: searched as hex below
                            text("postgres " + database + "." + table, rs.getString(1));
                        }
                    }
                }
            }
        }
    }

    void files(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                bytes("file " + file, Files.readAllBytes(file));
            }
        }
    }

    private void bytes(String where, byte[] data) {
        if (data != null) {
            text(where, new String(data, StandardCharsets.ISO_8859_1));
        }
    }

    private void text(String where, String text) {
        if (text == null) {
            return;
        }
        searched += text.length();
        for (String needle : needles) {
            String hex = HexFormat.of().formatHex(needle.getBytes(StandardCharsets.ISO_8859_1));
            if (text.contains(needle) || text.contains(hex)) {
                found.add("'" + needle + "' in " + where);
            }
        }
    }

    long searched() {
        return searched;
    }

    List<String> found() {
        return found;
    }
}
