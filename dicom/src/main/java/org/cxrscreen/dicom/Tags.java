package org.cxrscreen.dicom;

/** The attribute tags the system reads, as (group << 16 | element). */
public final class Tags {

    public static final int FILE_META_GROUP_LENGTH = 0x00020000;
    public static final int MEDIA_STORAGE_SOP_CLASS_UID = 0x00020002;
    public static final int MEDIA_STORAGE_SOP_INSTANCE_UID = 0x00020003;
    public static final int TRANSFER_SYNTAX_UID = 0x00020010;

    public static final int SOP_CLASS_UID = 0x00080016;
    public static final int SOP_INSTANCE_UID = 0x00080018;
    public static final int ACCESSION_NUMBER = 0x00080050;
    public static final int MODALITY = 0x00080060;
    public static final int PATIENT_NAME = 0x00100010;
    public static final int PATIENT_ID = 0x00100020;
    public static final int PATIENT_BIRTH_DATE = 0x00100030;
    public static final int BODY_PART_EXAMINED = 0x00180015;
    public static final int VIEW_POSITION = 0x00185101;
    public static final int STUDY_INSTANCE_UID = 0x0020000D;
    public static final int SERIES_INSTANCE_UID = 0x0020000E;
    public static final int LATERALITY = 0x00200060;
    public static final int IMAGE_LATERALITY = 0x00200062;

    public static final int SAMPLES_PER_PIXEL = 0x00280002;
    public static final int PHOTOMETRIC_INTERPRETATION = 0x00280004;
    public static final int PLANAR_CONFIGURATION = 0x00280006;
    public static final int NUMBER_OF_FRAMES = 0x00280008;
    public static final int ROWS = 0x00280010;
    public static final int COLUMNS = 0x00280011;
    public static final int BITS_ALLOCATED = 0x00280100;
    public static final int BITS_STORED = 0x00280101;
    public static final int HIGH_BIT = 0x00280102;
    public static final int PIXEL_REPRESENTATION = 0x00280103;
    public static final int BURNED_IN_ANNOTATION = 0x00280301;
    public static final int WINDOW_CENTER = 0x00281050;
    public static final int WINDOW_WIDTH = 0x00281051;
    public static final int RESCALE_INTERCEPT = 0x00281052;
    public static final int RESCALE_SLOPE = 0x00281053;
    public static final int VOI_LUT_FUNCTION = 0x00281056;
    public static final int MODALITY_LUT_SEQUENCE = 0x00283000;
    public static final int LUT_DESCRIPTOR = 0x00283002;
    public static final int LUT_DATA = 0x00283006;
    public static final int VOI_LUT_SEQUENCE = 0x00283010;
    public static final int PIXEL_DATA = 0x7FE00010;

    public static final int ITEM = 0xFFFEE000;
    public static final int ITEM_DELIMITATION = 0xFFFEE00D;
    public static final int SEQUENCE_DELIMITATION = 0xFFFEE0DD;

    private Tags() {
    }

    /** {@code (gggg,eeee)}, as people write tags. */
    public static String format(int tag) {
        return String.format("(%04X,%04X)", tag >>> 16, tag & 0xFFFF);
    }
}
