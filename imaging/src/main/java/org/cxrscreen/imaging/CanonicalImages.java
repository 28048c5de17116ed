package org.cxrscreen.imaging;

/**
 * The canonical image every accepted input becomes (DESIGN.md): 8-bit grayscale, the longer side at
 * most {@value #MAX_SIDE} px, encoded as PNG. The ingest produces it; training reads its source files
 * through the same steps, so both see the same pixels.
 */
public final class CanonicalImages {

    /** Longest side of a canonical image, in pixels. */
    public static final int MAX_SIDE = 1024;

    private static final ImageDecoder CANONICAL_DECODER = new ImageDecoder(
            new ImageLimits(16L * 1024 * 1024, (long) MAX_SIDE * MAX_SIDE, MAX_SIDE));

    private CanonicalImages() {
    }

    /** Shrinks an image so its longer side is at most {@value #MAX_SIDE}, keeping its aspect ratio. */
    public static GrayImage canonicalise(GrayImage image) {
        int longer = Math.max(image.width(), image.height());
        if (longer <= MAX_SIDE) {
            return image;
        }
        double scale = (double) MAX_SIDE / longer;
        int width = Math.max(1, (int) Math.round(image.width() * scale));
        int height = Math.max(1, (int) Math.round(image.height() * scale));
        return Resampler.resize(image, width, height);
    }

    /** Decodes an encoded PNG or JPEG and makes it canonical. */
    public static GrayImage fromEncoded(byte[] data, ImageDecoder decoder) {
        return canonicalise(decoder.decode(data).image());
    }

    /** Encodes as an 8-bit grayscale PNG: the samples are written as they are. */
    public static byte[] encodePng(GrayImage image) {
        return PngWriter.gray8(image.width(), image.height(), image.pixels());
    }

    /**
     * Reads a canonical PNG back, as a consumer of the images topic does.
     *
     * @throws ImageRejectedException when the bytes are not a canonical image
     */
    public static GrayImage decodePng(byte[] png) {
        DecodedImage decoded = CANONICAL_DECODER.decode(png);
        if (decoded.format() != ImageFormat.PNG) {
            throw new ImageRejectedException(ImageRejectedException.Reason.UNSUPPORTED_FORMAT,
                    "a canonical image must be a PNG, got " + decoded.format());
        }
        return decoded.image();
    }
}
