package org.cxrscreen.dicom;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cxrscreen.dicom.DicomException.Reason;

/**
 * Reads DICOM Part 10 files and bare data sets (as C-STORE carries them) in the little-endian
 * transfer syntaxes. Every length is checked against the bytes that are there, nesting and element
 * counts are bounded, so a truncated file, a lying length or a deliberately deep structure is refused
 * with the tag where it went wrong, never read past or recursed into without end.
 */
public final class DicomReader {

    /** Part 10 file: its meta information and its data set. */
    public record Part10(DicomObject meta, String transferSyntaxUid, DicomObject dataset, int datasetOffset) {
    }

    static final int MAX_DEPTH = 12;
    static final int MAX_ELEMENTS = 200_000;
    private static final long UNDEFINED = 0xFFFFFFFFL;
    private static final Set<String> LONG_VRS = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN",
            "UR", "UT", "UV");
    /** VRs of implicit-VR elements the system reads as sequences or binary. */
    private static final Map<Integer, String> IMPLICIT_VRS = Map.of(
            Tags.VOI_LUT_SEQUENCE, "SQ",
            Tags.MODALITY_LUT_SEQUENCE, "SQ",
            Tags.PIXEL_DATA, "OW",
            Tags.LUT_DATA, "OW");

    private final byte[] data;
    private int elementCount;

    private DicomReader(byte[] data) {
        this.data = data;
    }

    /** True when the bytes start like a Part 10 file (128-byte preamble, then {@code DICM}). */
    public static boolean isPart10(byte[] data) {
        return data.length >= 132 && data[128] == 'D' && data[129] == 'I' && data[130] == 'C' && data[131] == 'M';
    }

    /**
     * Reads a Part 10 file.
     *
     * @throws DicomException saying what is wrong; an unsupported transfer syntax is named
     */
    public static Part10 readPart10(byte[] data) {
        if (!isPart10(data)) {
            throw new DicomException(Reason.NOT_DICOM, "not a DICOM file: no 'DICM' after the 128-byte preamble");
        }
        DicomReader reader = new DicomReader(data);
        DicomObject meta = new DicomObject();
        int pos = 132;
        while (pos + 4 <= data.length && reader.u16(pos) == 0x0002) {
            pos = reader.element(meta, pos, data.length, true, 0);
        }
        String ts = meta.string(Tags.TRANSFER_SYNTAX_UID);
        if (ts == null) {
            throw new DicomException(Reason.MALFORMED, "the file meta information has no transfer syntax (0002,0010)");
        }
        TransferSyntax syntax = TransferSyntax.require(ts);
        DicomObject dataset = reader.dataset(pos, data.length, syntax.explicitVr(), 0);
        return new Part10(meta, ts, dataset, pos);
    }

    /** Reads a bare data set in the given transfer syntax. */
    public static DicomObject readDataset(byte[] data, String transferSyntaxUid) {
        TransferSyntax syntax = TransferSyntax.require(transferSyntaxUid);
        return new DicomReader(data).dataset(0, data.length, syntax.explicitVr(), 0);
    }

    /** Reads a DIMSE command set (always implicit VR little endian). */
    public static DicomObject readCommand(byte[] data) {
        return new DicomReader(data).dataset(0, data.length, false, 0);
    }

    private DicomObject dataset(int from, int to, boolean explicit, int depth) {
        DicomObject object = new DicomObject();
        int pos = from;
        while (pos < to) {
            pos = element(object, pos, to, explicit, depth);
        }
        return object;
    }

    /** Reads one element at {@code pos} into {@code object}; returns the position after it. */
    private int element(DicomObject object, int pos, int to, boolean explicit, int depth) {
        if (++elementCount > MAX_ELEMENTS) {
            throw new DicomException(Reason.TOO_LARGE, "more than " + MAX_ELEMENTS + " elements");
        }
        need(pos, 8, to, "an element header");
        int tag = u16(pos) << 16 | u16(pos + 2);
        String vr;
        long length;
        int valueAt;
        if (explicit && (tag >>> 16) != 0xFFFE) {
            vr = new String(data, pos + 4, 2, StandardCharsets.US_ASCII);
            if (!Character.isUpperCase(vr.charAt(0)) || !Character.isUpperCase(vr.charAt(1))) {
                throw new DicomException(Reason.MALFORMED, "invalid value representation at " + Tags.format(tag));
            }
            if (LONG_VRS.contains(vr)) {
                need(pos, 12, to, "the header of " + Tags.format(tag));
                length = u32(pos + 8);
                valueAt = pos + 12;
            } else {
                length = u16(pos + 6);
                valueAt = pos + 8;
            }
        } else {
            vr = IMPLICIT_VRS.getOrDefault(tag, "UN");
            length = u32(pos + 4);
            valueAt = pos + 8;
        }
        if (length == UNDEFINED) {
            if (tag == Tags.PIXEL_DATA) {
                List<byte[]> fragments = new ArrayList<>();
                int end = fragments(valueAt, to, fragments);
                object.put(new DicomObject.Element(tag, vr, null, null, fragments));
                return end;
            }
            if (explicit && !vr.equals("SQ") && !vr.equals("UN")) {
                throw new DicomException(Reason.MALFORMED, "undefined length on " + vr + " element " + Tags.format(tag));
            }
            List<DicomObject> items = new ArrayList<>();
            int end = items(valueAt, to, explicit && vr.equals("SQ"), depth + 1, items, true);
            object.put(new DicomObject.Element(tag, "SQ", null, items, null));
            return end;
        }
        if (length > to - valueAt) {
            throw new DicomException(Reason.TRUNCATED, "the length " + length + " of " + Tags.format(tag)
                    + " goes past the end of the data (" + (to - valueAt) + " bytes left): truncated or corrupt");
        }
        int end = valueAt + (int) length;
        if (vr.equals("SQ")) {
            List<DicomObject> items = new ArrayList<>();
            items(valueAt, end, explicit, depth + 1, items, false);
            object.put(new DicomObject.Element(tag, vr, null, items, null));
        } else {
            object.put(new DicomObject.Element(tag, vr, java.util.Arrays.copyOfRange(data, valueAt, end), null, null));
        }
        return end;
    }

    /** Reads sequence items; with {@code delimited} until the sequence delimiter. Returns the position after. */
    private int items(int pos, int to, boolean explicit, int depth, List<DicomObject> items, boolean delimited) {
        if (depth > MAX_DEPTH) {
            throw new DicomException(Reason.MALFORMED, "sequences nested deeper than " + MAX_DEPTH);
        }
        while (pos < to) {
            need(pos, 8, to, "an item header");
            int tag = u16(pos) << 16 | u16(pos + 2);
            long length = u32(pos + 4);
            pos += 8;
            if (tag == Tags.SEQUENCE_DELIMITATION) {
                return pos;
            }
            if (tag != Tags.ITEM) {
                throw new DicomException(Reason.MALFORMED, "expected an item in a sequence, found " + Tags.format(tag));
            }
            if (length == UNDEFINED) {
                DicomObject item = new DicomObject();
                while (true) {
                    need(pos, 8, to, "an element of an item");
                    int next = u16(pos) << 16 | u16(pos + 2);
                    if (next == Tags.ITEM_DELIMITATION) {
                        pos += 8;
                        break;
                    }
                    pos = element(item, pos, to, explicit, depth);
                }
                items.add(item);
            } else {
                if (length > to - pos) {
                    throw new DicomException(Reason.TRUNCATED, "an item's length " + length
                            + " goes past the end of its sequence: truncated or corrupt");
                }
                items.add(dataset(pos, pos + (int) length, explicit, depth));
                pos += (int) length;
            }
        }
        if (delimited) {
            throw new DicomException(Reason.TRUNCATED, "a sequence ends without its delimiter: truncated");
        }
        return pos;
    }

    private int fragments(int pos, int to, List<byte[]> fragments) {
        while (true) {
            need(pos, 8, to, "a pixel data fragment");
            int tag = u16(pos) << 16 | u16(pos + 2);
            long length = u32(pos + 4);
            pos += 8;
            if (tag == Tags.SEQUENCE_DELIMITATION) {
                return pos;
            }
            if (tag != Tags.ITEM || length > to - pos) {
                throw new DicomException(tag != Tags.ITEM ? Reason.MALFORMED : Reason.TRUNCATED,
                        "encapsulated pixel data is " + (tag != Tags.ITEM ? "malformed" : "truncated"));
            }
            fragments.add(java.util.Arrays.copyOfRange(data, pos, pos + (int) length));
            pos += (int) length;
        }
    }

    private void need(int pos, int bytes, int to, String what) {
        if (pos + bytes > to) {
            throw new DicomException(Reason.TRUNCATED, "the data ends inside " + what + " at byte " + pos
                    + ": truncated");
        }
    }

    private int u16(int pos) {
        return (data[pos] & 0xFF) | (data[pos + 1] & 0xFF) << 8;
    }

    private long u32(int pos) {
        return ((long) u16(pos)) | ((long) u16(pos + 2)) << 16;
    }
}
