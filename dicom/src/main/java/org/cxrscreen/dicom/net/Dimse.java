package org.cxrscreen.dicom.net;

import org.cxrscreen.dicom.DicomObject;
import org.cxrscreen.dicom.DicomWriter;

/** DIMSE command sets (PS3.7): the fields used, and the C-ECHO and C-STORE requests and responses. */
public final class Dimse {

    public static final int AFFECTED_SOP_CLASS_UID = 0x00000002;
    public static final int COMMAND_FIELD = 0x00000100;
    public static final int MESSAGE_ID = 0x00000110;
    public static final int MESSAGE_ID_BEING_RESPONDED_TO = 0x00000120;
    public static final int PRIORITY = 0x00000700;
    public static final int COMMAND_DATA_SET_TYPE = 0x00000800;
    public static final int STATUS = 0x00000900;
    public static final int ERROR_COMMENT = 0x00000902;
    public static final int AFFECTED_SOP_INSTANCE_UID = 0x00001000;

    public static final int C_STORE_RQ = 0x0001;
    public static final int C_STORE_RSP = 0x8001;
    public static final int C_ECHO_RQ = 0x0030;
    public static final int C_ECHO_RSP = 0x8030;

    private Dimse() {
    }

    /** A DIMSE status with an optional comment (which must not carry identifying data). */
    public record Status(int code, String comment) {

        public static final Status SUCCESS = new Status(0x0000, null);

        /** Refused: out of resources (the sender may try again). */
        public static Status outOfResources(String comment) {
            return new Status(0xA700, comment);
        }

        /** Error: data set does not match SOP class. */
        public static Status doesNotMatchSopClass(String comment) {
            return new Status(0xA900, comment);
        }

        /** Error: cannot understand. */
        public static Status cannotUnderstand(String comment) {
            return new Status(0xC000, comment);
        }

        /** Error in the 0xCxxx range chosen for objects that are understood but not screened. */
        public static Status notScreened(String comment) {
            return new Status(0xC001, comment);
        }

        public boolean success() {
            return code == 0;
        }
    }

    static byte[] echoResponse(DicomObject request) {
        return DicomWriter.command(new DicomWriter(false)
                .string(AFFECTED_SOP_CLASS_UID, "UI", request.string(AFFECTED_SOP_CLASS_UID))
                .uint16(COMMAND_FIELD, C_ECHO_RSP)
                .uint16(MESSAGE_ID_BEING_RESPONDED_TO, request.uint16(MESSAGE_ID, 0))
                .uint16(COMMAND_DATA_SET_TYPE, DimseChannel.NO_DATASET)
                .uint16(STATUS, 0));
    }

    static byte[] storeResponse(DicomObject request, Status status) {
        DicomWriter writer = new DicomWriter(false)
                .string(AFFECTED_SOP_CLASS_UID, "UI", nullToEmpty(request.string(AFFECTED_SOP_CLASS_UID)))
                .uint16(COMMAND_FIELD, C_STORE_RSP)
                .uint16(MESSAGE_ID_BEING_RESPONDED_TO, request.uint16(MESSAGE_ID, 0))
                .uint16(COMMAND_DATA_SET_TYPE, DimseChannel.NO_DATASET)
                .uint16(STATUS, status.code());
        if (status.comment() != null) {
            String comment = status.comment().length() > 64 ? status.comment().substring(0, 64) : status.comment();
            writer.string(ERROR_COMMENT, "LO", comment);
        }
        writer.string(AFFECTED_SOP_INSTANCE_UID, "UI", nullToEmpty(request.string(AFFECTED_SOP_INSTANCE_UID)));
        return DicomWriter.command(writer);
    }

    static byte[] storeRequest(int messageId, String sopClassUid, String sopInstanceUid) {
        return DicomWriter.command(new DicomWriter(false)
                .string(AFFECTED_SOP_CLASS_UID, "UI", sopClassUid)
                .uint16(COMMAND_FIELD, C_STORE_RQ)
                .uint16(MESSAGE_ID, messageId)
                .uint16(PRIORITY, 0)
                .uint16(COMMAND_DATA_SET_TYPE, 0x0000)
                .string(AFFECTED_SOP_INSTANCE_UID, "UI", sopInstanceUid));
    }

    static byte[] echoRequest(int messageId) {
        return DicomWriter.command(new DicomWriter(false)
                .string(AFFECTED_SOP_CLASS_UID, "UI", org.cxrscreen.dicom.SopClass.VERIFICATION)
                .uint16(COMMAND_FIELD, C_ECHO_RQ)
                .uint16(MESSAGE_ID, messageId)
                .uint16(COMMAND_DATA_SET_TYPE, DimseChannel.NO_DATASET));
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
