package org.cxrscreen.dicom;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Locale;
import org.cxrscreen.dicom.DicomException.Reason;
import org.cxrscreen.imaging.GrayImage;
import org.cxrscreen.imaging.ImageDecoder;
import org.cxrscreen.imaging.ImageLimits;
import org.cxrscreen.imaging.ImageRejectedException;

/**
 * Turns a data set's pixel data (the first frame) into the 8-bit grayscale image a radiologist would
 * see: stored values masked and sign-extended, the modality rescale applied, then the VOI
 * transformation — the VOI LUT if there is one, else the first window (linear, exact linear or
 * sigmoid), else the full range of the values — and MONOCHROME1 inverted so that air is black. RGB
 * becomes its luma. Encapsulated JPEG baseline is decoded by the JDK's JPEG decoder.
 */
public final class PixelDecoder {

    private final ImageLimits limits;

    public PixelDecoder(ImageLimits limits) {
        this.limits = limits;
    }

    /**
     * @throws DicomException naming what is missing or not supported
     */
    public GrayImage decode(DicomObject ds, TransferSyntax syntax) {
        DicomObject.Element pixels = ds.element(Tags.PIXEL_DATA);
        if (pixels == null) {
            throw new DicomException(Reason.NO_PIXEL_DATA, "no pixel data (7FE0,0010): there is no image to screen");
        }
        int rows = ds.uint16(Tags.ROWS, 0);
        int columns = ds.uint16(Tags.COLUMNS, 0);
        if (rows <= 0 || columns <= 0) {
            throw new DicomException(Reason.MALFORMED, "rows (0028,0010) and columns (0028,0011) must be positive, "
                    + "were " + rows + " and " + columns);
        }
        if (rows > limits.maxSide() || columns > limits.maxSide() || (long) rows * columns > limits.maxPixels()) {
            throw new DicomException(Reason.TOO_LARGE, "the image is " + columns + "x" + rows
                    + " pixels, beyond the limit of " + limits.maxPixels() / 1_000_000 + " megapixels and "
                    + limits.maxSide() + " px a side");
        }
        String photometric = ds.string(Tags.PHOTOMETRIC_INTERPRETATION);
        if (photometric == null) {
            throw new DicomException(Reason.MALFORMED, "no photometric interpretation (0028,0004)");
        }
        GrayImage image = syntax.encapsulated() ? decodeJpeg(ds, pixels, rows, columns, photometric)
                : decodeNative(ds, pixels, rows, columns, photometric);
        return image;
    }

    private GrayImage decodeNative(DicomObject ds, DicomObject.Element pixels, int rows, int columns,
            String photometric) {
        int samples = ds.uint16(Tags.SAMPLES_PER_PIXEL, 1);
        boolean rgb = photometric.equals("RGB");
        boolean mono = photometric.equals("MONOCHROME1") || photometric.equals("MONOCHROME2");
        if (!(mono && samples == 1) && !(rgb && samples == 3)) {
            throw new DicomException(Reason.UNSUPPORTED_PIXELS, "photometric interpretation " + photometric + " with "
                    + samples + " samples per pixel is not supported; accepted: MONOCHROME1, MONOCHROME2, RGB");
        }
        int allocated = ds.uint16(Tags.BITS_ALLOCATED, 0);
        if (allocated != 8 && allocated != 16) {
            throw new DicomException(Reason.UNSUPPORTED_PIXELS, "bits allocated " + allocated
                    + " is not supported; accepted: 8 or 16");
        }
        int stored = ds.uint16(Tags.BITS_STORED, allocated);
        int high = ds.uint16(Tags.HIGH_BIT, stored - 1);
        if (stored < 1 || stored > allocated || high < stored - 1 || high >= allocated) {
            throw new DicomException(Reason.MALFORMED, "bits stored " + stored + " and high bit " + high
                    + " do not fit " + allocated + " bits allocated");
        }
        boolean signed = ds.uint16(Tags.PIXEL_REPRESENTATION, 0) == 1;
        byte[] data = pixels.value();
        long pixelCount = (long) rows * columns;
        long needed = pixelCount * samples * (allocated / 8);
        if (data == null || data.length < needed) {
            throw new DicomException(Reason.TRUNCATED, "the pixel data holds " + (data == null ? 0 : data.length)
                    + " bytes, fewer than the " + needed + " that " + columns + "x" + rows + " pixels need: truncated");
        }
        int shift = high + 1 - stored;
        int mask = (1 << stored) - 1;
        if (rgb) {
            return rgbToGray(data, rows, columns, allocated, shift, mask, ds.uint16(Tags.PLANAR_CONFIGURATION, 0) == 1);
        }
        double slope = orDefault(ds.decimal(Tags.RESCALE_SLOPE, 0), 1);
        double intercept = orDefault(ds.decimal(Tags.RESCALE_INTERCEPT, 0), 0);
        // at most 2^16 stored values: the modality and VOI transformations are computed once per value
        // present in the range, then looked up per pixel
        // two passes over the pixels, no per-pixel array: the range of stored values, then the lookup
        int count = (int) pixelCount;
        boolean eight = allocated == 8;
        int minV = Integer.MAX_VALUE;
        int maxV = Integer.MIN_VALUE;
        for (int i = 0; i < count; i++) {
            int v = storedValue(data, i, eight, shift, mask, signed, stored);
            minV = Math.min(minV, v);
            maxV = Math.max(maxV, v);
        }
        // the rescale is linear, so the range's extremes (which the pixel-range VOI uses) are present values
        double[] values = new double[maxV - minV + 1];
        for (int j = 0; j < values.length; j++) {
            values[j] = (minV + j) * slope + intercept;
        }
        byte[] table = voi(ds, values, signed);
        if (photometric.equals("MONOCHROME1")) {
            invert(table);
        }
        byte[] out = new byte[count];
        for (int i = 0; i < count; i++) {
            out[i] = table[storedValue(data, i, eight, shift, mask, signed, stored) - minV];
        }
        return new GrayImage(columns, rows, out);
    }

    /** Pixel {@code i}'s stored value: its bits from the high bit down, sign-extended when signed. */
    private static int storedValue(byte[] data, int i, boolean eight, int shift, int mask, boolean signed,
            int stored) {
        int raw = eight ? data[i] & 0xFF : (data[2 * i] & 0xFF) | (data[2 * i + 1] & 0xFF) << 8;
        int v = (raw >> shift) & mask;
        return signed && (v & (1 << (stored - 1))) != 0 ? v - (1 << stored) : v;
    }

    /** The VOI transformation to 8 bits: VOI LUT, else the first window, else the full range. */
    static byte[] voi(DicomObject ds, double[] values, boolean signed) {
        byte[] out = new byte[values.length];
        List<DicomObject> luts = ds.sequence(Tags.VOI_LUT_SEQUENCE);
        if (!luts.isEmpty() && luts.get(0).contains(Tags.LUT_DESCRIPTOR) && luts.get(0).contains(Tags.LUT_DATA)) {
            DicomObject lut = luts.get(0);
            int entries = lut.int16(Tags.LUT_DESCRIPTOR, 0, false);
            entries = entries == 0 ? 65536 : entries;
            Integer first = lut.int16(Tags.LUT_DESCRIPTOR, 1, signed);
            Integer bits = lut.int16(Tags.LUT_DESCRIPTOR, 2, false);
            byte[] table = lut.bytes(Tags.LUT_DATA);
            boolean eightBit = bits != null && bits == 8 && table.length >= entries && table.length < 2 * entries;
            int outBits = bits == null || bits < 1 || bits > 16 ? 16 : bits;
            if (table.length < (eightBit ? entries : 2 * entries)) {
                throw new DicomException(Reason.MALFORMED, "the VOI LUT has fewer entries than its descriptor says");
            }
            double outMax = (1 << outBits) - 1;
            for (int i = 0; i < values.length; i++) {
                int index = (int) Math.round(values[i]) - (first == null ? 0 : first);
                index = Math.max(0, Math.min(entries - 1, index));
                int v = eightBit ? table[index] & 0xFF : (table[2 * index] & 0xFF) | (table[2 * index + 1] & 0xFF) << 8;
                out[i] = (byte) Math.round(Math.min(outMax, v) * 255 / outMax);
            }
            return out;
        }
        Double center = ds.decimal(Tags.WINDOW_CENTER, 0);
        Double width = ds.decimal(Tags.WINDOW_WIDTH, 0);
        if (center != null && width != null && width > 0) {
            String function = ds.string(Tags.VOI_LUT_FUNCTION);
            function = function == null ? "LINEAR" : function.toUpperCase(Locale.ROOT);
            for (int i = 0; i < values.length; i++) {
                out[i] = (byte) window(values[i], center, width, function);
            }
            return out;
        }
        // values are linear in the stored value: the extremes are at the ends
        double min = Math.min(values[0], values[values.length - 1]);
        double max = Math.max(values[0], values[values.length - 1]);
        double range = max - min;
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) (range <= 0 ? 0 : Math.round((values[i] - min) * 255 / range));
        }
        return out;
    }

    /** PS3.3 C.11.2.1.2: the window functions, to 0..255. */
    static int window(double x, double center, double width, String function) {
        double y;
        switch (function) {
            case "LINEAR_EXACT" -> {
                y = x <= center - width / 2 ? 0 : x > center + width / 2 ? 255 : (x - center) / width * 255 + 127.5;
            }
            case "SIGMOID" -> y = 255 / (1 + Math.exp(-4 * (x - center) / width));
            default -> {
                if (width < 1) {
                    width = 1;
                }
                if (x <= center - 0.5 - (width - 1) / 2) {
                    y = 0;
                } else if (x > center - 0.5 + (width - 1) / 2) {
                    y = 255;
                } else {
                    y = ((x - (center - 0.5)) / (width - 1) + 0.5) * 255;
                }
            }
        }
        return (int) Math.max(0, Math.min(255, Math.round(y)));
    }

    private GrayImage rgbToGray(byte[] data, int rows, int columns, int allocated, int shift, int mask,
            boolean planar) {
        int n = rows * columns;
        byte[] out = new byte[n];
        int bytes = allocated / 8;
        for (int i = 0; i < n; i++) {
            int[] rgb = new int[3];
            for (int s = 0; s < 3; s++) {
                int sample = planar ? s * n + i : i * 3 + s;
                int raw = bytes == 1 ? data[sample] & 0xFF
                        : (data[2 * sample] & 0xFF) | (data[2 * sample + 1] & 0xFF) << 8;
                int v = (raw >> shift) & mask;
                rgb[s] = mask == 255 ? v : (int) Math.round(v * 255.0 / mask);
            }
            out[i] = (byte) ((299 * rgb[0] + 587 * rgb[1] + 114 * rgb[2] + 500) / 1000);
        }
        return new GrayImage(columns, rows, out);
    }

    private GrayImage decodeJpeg(DicomObject ds, DicomObject.Element pixels, int rows, int columns,
            String photometric) {
        List<byte[]> fragments = pixels.fragments();
        if (fragments == null || fragments.size() < 2) {
            throw new DicomException(Reason.NO_PIXEL_DATA, "the encapsulated pixel data has no frame");
        }
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        for (byte[] fragment : fragments.subList(1, fragments.size())) {
            frame.writeBytes(fragment);
            if (endsWithEoi(fragment)) {
                break;
            }
        }
        GrayImage image;
        try {
            image = new ImageDecoder(limits).decode(frame.toByteArray()).image();
        } catch (ImageRejectedException e) {
            throw new DicomException(Reason.MALFORMED, "the JPEG frame cannot be decoded: " + e.getMessage(), e);
        }
        if (image.width() != columns || image.height() != rows) {
            throw new DicomException(Reason.MALFORMED, "the JPEG frame is " + image.width() + "x" + image.height()
                    + " but the header says " + columns + "x" + rows);
        }
        if (photometric.equals("MONOCHROME1")) {
            invert(image.pixels());
        }
        return image;
    }

    private static boolean endsWithEoi(byte[] fragment) {
        int end = fragment.length;
        while (end > 0 && fragment[end - 1] == 0) {
            end--;
        }
        return end >= 2 && (fragment[end - 2] & 0xFF) == 0xFF && (fragment[end - 1] & 0xFF) == 0xD9;
    }

    private static void invert(byte[] pixels) {
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (255 - (pixels[i] & 0xFF));
        }
    }

    private static double orDefault(Double value, double otherwise) {
        return value == null ? otherwise : value;
    }
}
