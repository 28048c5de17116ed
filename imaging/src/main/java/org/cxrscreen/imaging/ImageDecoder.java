package org.cxrscreen.imaging;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import org.cxrscreen.imaging.ImageRejectedException.Reason;

/**
 * Decodes PNG and JPEG into 8-bit grayscale from the raw raster samples. It never goes through
 * {@code getRGB} or {@code drawImage}, which apply a gamma conversion to grayscale images and would
 * make training and serving see different pixels. Limits are checked against the header before any
 * pixel is decoded; a truncated or corrupt file is refused, not padded.
 */
public final class ImageDecoder {

    static {
        ImageIO.setUseCache(false);
    }

    private final ImageLimits limits;

    public ImageDecoder(ImageLimits limits) {
        this.limits = limits;
    }

    public ImageLimits limits() {
        return limits;
    }

    /**
     * Decodes an encoded image.
     *
     * @throws ImageRejectedException saying what was wrong and what is accepted
     */
    public DecodedImage decode(byte[] data) {
        if (data == null || data.length == 0) {
            throw reject(Reason.EMPTY, "the image is empty (0 bytes)");
        }
        if (data.length > limits.maxBytes()) {
            throw reject(Reason.TOO_LARGE, "the image is " + data.length + " bytes, more than the limit");
        }
        ImageFormat format = ImageFormat.detect(data);
        if (format == null) {
            throw reject(Reason.UNSUPPORTED_FORMAT,
                    "the data is not a PNG or JPEG image (it starts with " + leadingBytes(data) + ")");
        }
        if (format == ImageFormat.JPEG && !endsWithJpegEndMarker(data)) {
            throw reject(Reason.CORRUPT, "the JPEG image is truncated: it has no end-of-image marker");
        }
        return new DecodedImage(format, toGray(read(data, format), format));
    }

    private BufferedImage read(byte[] data, ImageFormat format) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.name());
        if (!readers.hasNext()) {
            throw new IllegalStateException("no ImageIO reader for " + format);
        }
        ImageReader reader = readers.next();
        List<String> warnings = new ArrayList<>();
        IIOReadWarningListener listener = (source, warning) -> warnings.add(warning);
        reader.addIIOReadWarningListener(listener);
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
            reader.setInput(in, true, true);
            int width;
            int height;
            try {
                width = reader.getWidth(0);
                height = reader.getHeight(0);
            } catch (IOException | RuntimeException e) {
                throw reject(Reason.CORRUPT, "the " + format + " header cannot be read: " + message(e), e);
            }
            checkDimensions(width, height);
            BufferedImage image;
            try {
                image = reader.read(0);
            } catch (IOException | RuntimeException e) {
                if (isUnsupportedColour(e)) {
                    throw reject(Reason.UNSUPPORTED_PIXELS,
                            "the " + format + " image uses a colour model that cannot be read: " + message(e), e);
                }
                throw reject(Reason.CORRUPT, "the " + format + " image is corrupt or truncated: " + message(e), e);
            }
            if (!warnings.isEmpty()) {
                throw reject(Reason.CORRUPT, "the " + format + " image is corrupt or truncated: " + warnings.get(0));
            }
            return image;
        } catch (IOException e) {
            throw reject(Reason.CORRUPT, "the " + format + " image cannot be read: " + message(e), e);
        } finally {
            reader.removeIIOReadWarningListener(listener);
            reader.dispose();
        }
    }

    private void checkDimensions(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw reject(Reason.CORRUPT, "the image header gives an invalid size " + width + "x" + height);
        }
        if (width > limits.maxSide() || height > limits.maxSide()
                || (long) width * height > limits.maxPixels()) {
            throw reject(Reason.TOO_MANY_PIXELS,
                    "the image is " + width + "x" + height + " pixels, beyond the limit");
        }
    }

    private GrayImage toGray(BufferedImage image, ImageFormat format) {
        int width = image.getWidth();
        int height = image.getHeight();
        Raster raster = image.getRaster();
        ColorModel model = image.getColorModel();
        byte[] gray = new byte[width * height];
        if (model instanceof IndexColorModel palette) {
            int size = palette.getMapSize();
            byte[] lut = new byte[size];
            for (int i = 0; i < size; i++) {
                lut[i] = (byte) luma(palette.getRed(i), palette.getGreen(i), palette.getBlue(i));
            }
            int[] row = new int[width];
            for (int y = 0; y < height; y++) {
                raster.getSamples(0, y, width, 1, 0, row);
                for (int x = 0; x < width; x++) {
                    gray[y * width + x] = lut[Math.min(row[x], size - 1)];
                }
            }
            return new GrayImage(width, height, gray);
        }
        int colours = model.getNumColorComponents();
        if (colours != 1 && colours != 3) {
            throw reject(Reason.UNSUPPORTED_PIXELS,
                    "the " + format + " image has " + colours + " colour components; grayscale or RGB are accepted");
        }
        int[] bits = raster.getSampleModel().getSampleSize();
        int[][] rows = new int[colours][width];
        for (int y = 0; y < height; y++) {
            for (int band = 0; band < colours; band++) {
                raster.getSamples(0, y, width, 1, band, rows[band]);
            }
            for (int x = 0; x < width; x++) {
                int value;
                if (colours == 1) {
                    value = to8Bits(rows[0][x], bits[0]);
                } else {
                    value = luma(to8Bits(rows[0][x], bits[0]), to8Bits(rows[1][x], bits[1]),
                            to8Bits(rows[2][x], bits[2]));
                }
                gray[y * width + x] = (byte) value;
            }
        }
        return new GrayImage(width, height, gray);
    }

    /** Scales a sample of the given bit depth linearly to 0..255. */
    static int to8Bits(int sample, int bits) {
        if (bits == 8) {
            return sample;
        }
        long max = (1L << bits) - 1;
        return (int) ((sample * 255L + max / 2) / max);
    }

    /** ITU-R BT.601 luma, rounded: the weights JPEG's own colour transform uses. */
    static int luma(int r, int g, int b) {
        return (299 * r + 587 * g + 114 * b + 500) / 1000;
    }

    private static boolean endsWithJpegEndMarker(byte[] data) {
        int end = data.length;
        while (end > 2 && data[end - 1] == 0) {
            end--;
        }
        return end >= 4 && (data[end - 2] & 0xFF) == 0xFF && (data[end - 1] & 0xFF) == 0xD9;
    }

    private static boolean isUnsupportedColour(Throwable e) {
        String text = String.valueOf(e.getMessage()).toLowerCase();
        return text.contains("unsupported image type") || text.contains("unsupported color conversion");
    }

    private ImageRejectedException reject(Reason reason, String what) {
        return reject(reason, what, null);
    }

    private ImageRejectedException reject(Reason reason, String what, Throwable cause) {
        return new ImageRejectedException(reason, what + ". Accepted: " + limits.describe() + ".", cause);
    }

    private static String message(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static String leadingBytes(byte[] data) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Math.min(4, data.length); i++) {
            text.append(i == 0 ? "" : " ").append(String.format("%02X", data[i] & 0xFF));
        }
        return text.toString();
    }
}
