package org.cxrscreen.dicom;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A parsed data set: elements by tag, values as little-endian bytes, sequences as nested data sets
 * and encapsulated pixel data as fragments. Only the typed reads the ingest needs are offered; values
 * of text attributes are read as ASCII (the ingest reads codes, numbers and UIDs, never names).
 */
public final class DicomObject {

    /**
     * One element.
     *
     * @param tag its tag
     * @param vr its value representation ({@code UN} when implicit and unknown)
     * @param value the value bytes; null for sequences and encapsulated data
     * @param items the items of a sequence; null otherwise
     * @param fragments the fragments of encapsulated pixel data (the first is the offset table); null otherwise
     */
    public record Element(int tag, String vr, byte[] value, List<DicomObject> items, List<byte[]> fragments) {
    }

    private final NavigableMap<Integer, Element> elements = new TreeMap<>(Integer::compareUnsigned);

    void put(Element element) {
        elements.put(element.tag(), element);
    }

    public boolean contains(int tag) {
        return elements.containsKey(tag);
    }

    public Element element(int tag) {
        return elements.get(tag);
    }

    /** Tags present, in ascending order. */
    public java.util.Set<Integer> tags() {
        return Collections.unmodifiableSet(elements.keySet());
    }

    /** All values of a text attribute, without padding; empty when absent. */
    public String[] strings(int tag) {
        Element e = elements.get(tag);
        if (e == null || e.value() == null || e.value().length == 0) {
            return new String[0];
        }
        String text = new String(e.value(), StandardCharsets.ISO_8859_1);
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == ' ' || text.charAt(end - 1) == '\0')) {
            end--;
        }
        String[] parts = text.substring(0, end).split("\\\\", -1);
        for (int i = 0; i < parts.length; i++) {
            parts[i] = parts[i].trim();
        }
        return parts;
    }

    /** The first value of a text attribute, or null when absent or empty. */
    public String string(int tag) {
        String[] values = strings(tag);
        return values.length == 0 || values[0].isEmpty() ? null : values[0];
    }

    /** The {@code index}-th value of a decimal (DS) or integer (IS) string, or null. */
    public Double decimal(int tag, int index) {
        String[] values = strings(tag);
        if (values.length <= index || values[index].isEmpty()) {
            return null;
        }
        try {
            return Double.valueOf(values[index]);
        } catch (NumberFormatException e) {
            throw new DicomException(DicomException.Reason.MALFORMED, Tags.format(tag) + " is not a number");
        }
    }

    /** The first value of an unsigned short (US) attribute, or {@code otherwise}. */
    public int uint16(int tag, int otherwise) {
        Element e = elements.get(tag);
        if (e == null || e.value() == null || e.value().length < 2) {
            return otherwise;
        }
        return (e.value()[0] & 0xFF) | (e.value()[1] & 0xFF) << 8;
    }

    /** The {@code index}-th 16-bit value, read as signed or unsigned; null when absent. */
    public Integer int16(int tag, int index, boolean signed) {
        Element e = elements.get(tag);
        if (e == null || e.value() == null || e.value().length < 2 * (index + 1)) {
            return null;
        }
        int v = (e.value()[2 * index] & 0xFF) | (e.value()[2 * index + 1] & 0xFF) << 8;
        return signed ? (short) v : v;
    }

    public byte[] bytes(int tag) {
        Element e = elements.get(tag);
        return e == null ? null : e.value();
    }

    /** The items of a sequence; empty when absent. */
    public List<DicomObject> sequence(int tag) {
        Element e = elements.get(tag);
        return e == null || e.items() == null ? List.of() : e.items();
    }
}
