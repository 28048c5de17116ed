package org.cxrscreen.dicom.net;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The upper-layer protocol data units of DICOM PS3.8 section 9.3, as raw frames: a type, and a body
 * whose length is checked against a maximum before anything is allocated.
 *
 * @param type the PDU type (1 associate-RQ, 2 -AC, 3 -RJ, 4 P-DATA-TF, 5 release-RQ, 6 -RP, 7 abort)
 * @param body the bytes after the 6-byte header
 */
public record Pdu(int type, byte[] body) {

    public static final int ASSOCIATE_RQ = 1;
    public static final int ASSOCIATE_AC = 2;
    public static final int ASSOCIATE_RJ = 3;
    public static final int P_DATA_TF = 4;
    public static final int RELEASE_RQ = 5;
    public static final int RELEASE_RP = 6;
    public static final int ABORT = 7;

    public static final String APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1";
    public static final String IMPLEMENTATION_CLASS_UID = "1.2.826.0.1.3680043.10.1418.1";
    public static final String IMPLEMENTATION_VERSION = "CXRSCREEN_01";

    /** A PDU whose length is beyond what may be read. */
    public static class TooLongException extends IOException {
        public TooLongException(String message) {
            super(message);
        }
    }

    /**
     * Reads one PDU.
     *
     * @param maxLength the longest body accepted
     * @return null at a clean end of stream before a PDU
     * @throws TooLongException when the header announces more than {@code maxLength}
     */
    public static Pdu read(DataInputStream in, long maxLength) throws IOException {
        int type = in.read();
        if (type < 0) {
            return null;
        }
        in.readUnsignedByte();
        long length = in.readInt() & 0xFFFFFFFFL;
        if (length > maxLength) {
            throw new TooLongException("a PDU of type " + type + " announces " + length + " bytes, more than "
                    + maxLength);
        }
        byte[] body = new byte[(int) length];
        try {
            in.readFully(body);
        } catch (EOFException e) {
            throw new EOFException("the peer closed the connection inside a PDU");
        }
        return new Pdu(type, body);
    }

    public void write(OutputStream out) throws IOException {
        byte[] header = {(byte) type, 0, (byte) (body.length >>> 24), (byte) (body.length >>> 16),
                (byte) (body.length >>> 8), (byte) body.length};
        out.write(header);
        out.write(body);
        out.flush();
    }

    /** A-ASSOCIATE-RJ: result (1 permanent, 2 transient), source, reason. */
    public static Pdu reject(int result, int source, int reason) {
        return new Pdu(ASSOCIATE_RJ, new byte[] {0, (byte) result, (byte) source, (byte) reason});
    }

    /** A-ABORT from the service provider (source 2) with a reason. */
    public static Pdu abort(int reason) {
        return new Pdu(ABORT, new byte[] {0, 0, 2, (byte) reason});
    }

    public static Pdu releaseRequest() {
        return new Pdu(RELEASE_RQ, new byte[4]);
    }

    public static Pdu releaseResponse() {
        return new Pdu(RELEASE_RP, new byte[4]);
    }

    /** Writes an item: type, reserved, 2-byte length, value. */
    static void item(ByteArrayOutputStream out, int type, byte[] value) {
        out.write(type);
        out.write(0);
        out.write(value.length >>> 8);
        out.write(value.length);
        out.writeBytes(value);
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** A UID or AE title from bytes, without padding. */
    static String text(byte[] data, int from, int length) {
        String text = new String(data, from, length, StandardCharsets.US_ASCII);
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == ' ' || text.charAt(end - 1) == 0)) {
            end--;
        }
        int start = 0;
        while (start < end && text.charAt(start) == ' ') {
            start++;
        }
        return text.substring(start, end);
    }

    static byte[] aeTitle(String title) {
        byte[] padded = new byte[16];
        java.util.Arrays.fill(padded, (byte) ' ');
        byte[] bytes = ascii(title);
        System.arraycopy(bytes, 0, padded, 0, Math.min(16, bytes.length));
        return padded;
    }

    static int u16(byte[] data, int at) {
        return (data[at] & 0xFF) << 8 | (data[at + 1] & 0xFF);
    }

    static long u32(byte[] data, int at) {
        return ((long) u16(data, at)) << 16 | u16(data, at + 2);
    }
}
