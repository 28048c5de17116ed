package org.cxrscreen.dicom;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes data set elements in little endian, implicit or explicit VR: DIMSE command sets (always
 * implicit VR) and, in tests, objects made in code. Values are padded to even length as DICOM wants.
 */
public final class DicomWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final boolean explicit;

    public DicomWriter(boolean explicit) {
        this.explicit = explicit;
    }

    /** A text value (UI padded with NUL, others with a space). */
    public DicomWriter string(int tag, String vr, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
        if (bytes.length % 2 == 1) {
            byte[] padded = java.util.Arrays.copyOf(bytes, bytes.length + 1);
            padded[bytes.length] = (byte) (vr.equals("UI") ? 0 : ' ');
            bytes = padded;
        }
        return element(tag, vr, bytes);
    }

    public DicomWriter uint16(int tag, int... values) {
        byte[] bytes = new byte[2 * values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[2 * i] = (byte) values[i];
            bytes[2 * i + 1] = (byte) (values[i] >>> 8);
        }
        return element(tag, "US", bytes);
    }

    public DicomWriter uint32(int tag, long value) {
        return element(tag, "UL", new byte[] {(byte) value, (byte) (value >>> 8), (byte) (value >>> 16),
                (byte) (value >>> 24)});
    }

    /** An element with the given value bytes. */
    public DicomWriter element(int tag, String vr, byte[] value) {
        writeTag(tag);
        boolean longForm = switch (vr) {
            case "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV" -> true;
            default -> false;
        };
        if (explicit) {
            out.write(vr.charAt(0));
            out.write(vr.charAt(1));
            if (longForm) {
                out.write(0);
                out.write(0);
                writeInt(value.length);
            } else {
                out.write(value.length);
                out.write(value.length >>> 8);
            }
        } else {
            writeInt(value.length);
        }
        out.writeBytes(value);
        return this;
    }

    /** A sequence of defined length holding the given encoded items' contents. */
    public DicomWriter sequence(int tag, byte[]... items) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] item : items) {
            writeTag(content, Tags.ITEM);
            writeInt(content, item.length);
            content.writeBytes(item);
        }
        return element(tag, "SQ", content.toByteArray());
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }

    /**
     * A command set: the elements given, preceded by their group length (0000,0000) as DIMSE requires.
     */
    public static byte[] command(DicomWriter elements) {
        byte[] body = elements.toByteArray();
        return new DicomWriter(false).uint32(0x00000000, body.length).raw(body);
    }

    private byte[] raw(byte[] bytes) {
        out.writeBytes(bytes);
        return out.toByteArray();
    }

    private void writeTag(int tag) {
        writeTag(out, tag);
    }

    private static void writeTag(ByteArrayOutputStream out, int tag) {
        out.write(tag >>> 16);
        out.write(tag >>> 24);
        out.write(tag);
        out.write(tag >>> 8);
    }

    private void writeInt(int value) {
        writeInt(out, value);
    }

    private static void writeInt(ByteArrayOutputStream out, int value) {
        out.write(value);
        out.write(value >>> 8);
        out.write(value >>> 16);
        out.write(value >>> 24);
    }

    /** A Part 10 file around a data set written in explicit VR little endian or JPEG baseline. */
    public static byte[] part10(String sopClassUid, String sopInstanceUid, String transferSyntaxUid, byte[] dataset) {
        DicomWriter meta = new DicomWriter(true)
                .element(0x00020001, "OB", new byte[] {0, 1})
                .string(Tags.MEDIA_STORAGE_SOP_CLASS_UID, "UI", sopClassUid)
                .string(Tags.MEDIA_STORAGE_SOP_INSTANCE_UID, "UI", sopInstanceUid)
                .string(Tags.TRANSFER_SYNTAX_UID, "UI", transferSyntaxUid)
                .string(0x00020012, "UI", "1.2.826.0.1.3680043.10.1418.1");
        byte[] metaBytes = meta.toByteArray();
        byte[] group = new DicomWriter(true).uint32(Tags.FILE_META_GROUP_LENGTH, metaBytes.length).toByteArray();
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes(new byte[128]);
        file.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        file.writeBytes(group);
        file.writeBytes(metaBytes);
        file.writeBytes(dataset);
        return file.toByteArray();
    }
}
