package org.cxrscreen.imaging;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Images made in code for the cases the real data set does not cover. */
final class TestImages {

    private TestImages() {
    }

    static GrayImage gradient(int width, int height) {
        byte[] pixels = new byte[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                pixels[y * width + x] = (byte) ((x * 7 + y * 3) % 256);
            }
        }
        return new GrayImage(width, height, pixels);
    }

    static GrayImage constant(int width, int height, int value) {
        byte[] pixels = new byte[width * height];
        java.util.Arrays.fill(pixels, (byte) value);
        return new GrayImage(width, height, pixels);
    }

    static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
