package org.cxrscreen.imaging;

/**
 * What the decoder accepts before it allocates anything: encoded size, and pixel dimensions read from
 * the header (so a small file that claims a huge image is refused without decoding it).
 *
 * @param maxBytes largest encoded input
 * @param maxPixels largest width x height
 * @param maxSide largest width or height
 */
public record ImageLimits(long maxBytes, long maxPixels, int maxSide) {

    /** 32 MiB, 36 megapixels (6000 x 6000), 12000 px a side: a large DX detector fits with room. */
    public static final ImageLimits DEFAULT = new ImageLimits(32L * 1024 * 1024, 36_000_000L, 12_000);

    public ImageLimits {
        if (maxBytes <= 0 || maxPixels <= 0 || maxSide <= 0) {
            throw new IllegalArgumentException("image limits must be positive");
        }
    }

    /** One line for error messages: what is accepted. */
    public String describe() {
        return "PNG or JPEG (grayscale or RGB, 8 or 16 bits), at most " + human(maxBytes) + ", "
                + maxPixels / 1_000_000 + " megapixels and " + maxSide + " px a side";
    }

    private static String human(long bytes) {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MiB" : bytes + " bytes";
    }
}
