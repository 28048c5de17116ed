package org.cxrscreen.imaging;

import java.util.Arrays;

/** An 8-bit grayscale image: row-major samples, 0 black, 255 white. */
public final class GrayImage {

    private final int width;
    private final int height;
    private final byte[] pixels;

    /**
     * Wraps samples without copying them; the caller gives up the array.
     *
     * @throws IllegalArgumentException when the array does not hold width x height samples
     */
    public GrayImage(int width, int height, byte[] pixels) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, was " + width + "x" + height);
        }
        if (pixels.length != (long) width * height) {
            throw new IllegalArgumentException(
                    "expected " + (long) width * height + " samples for " + width + "x" + height + ", got "
                            + pixels.length);
        }
        this.width = width;
        this.height = height;
        this.pixels = pixels;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The sample at (x, y), 0 to 255. */
    public int get(int x, int y) {
        return pixels[y * width + x] & 0xFF;
    }

    /** The samples themselves, not a copy: read them, do not change them. */
    public byte[] pixels() {
        return pixels;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GrayImage other && width == other.width && height == other.height
                && Arrays.equals(pixels, other.pixels);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(pixels);
    }

    @Override
    public String toString() {
        return "GrayImage[" + width + "x" + height + "]";
    }
}
