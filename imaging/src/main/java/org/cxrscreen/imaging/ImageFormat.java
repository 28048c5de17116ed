package org.cxrscreen.imaging;

/** Encoded formats the system reads, recognised by their leading bytes, never by a declared type. */
public enum ImageFormat {
    PNG,
    JPEG;

    /** The eight bytes every PNG starts with (never modify). */
    static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    /** The format of the bytes, or null when they are neither PNG nor JPEG. */
    public static ImageFormat detect(byte[] data) {
        if (data.length >= PNG_SIGNATURE.length) {
            boolean png = true;
            for (int i = 0; i < PNG_SIGNATURE.length && png; i++) {
                png = data[i] == PNG_SIGNATURE[i];
            }
            if (png) {
                return PNG;
            }
        }
        if (data.length >= 3 && (data[0] & 0xFF) == 0xFF && (data[1] & 0xFF) == 0xD8 && (data[2] & 0xFF) == 0xFF) {
            return JPEG;
        }
        return null;
    }
}
