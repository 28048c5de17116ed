package org.cxrscreen.training.data;

import java.util.Random;
import java.util.Set;
import org.cxrscreen.imaging.GrayImage;

/**
 * Applies the chosen {@link Augmentation}s to a fitted image, drawing their amounts from the given
 * random source (seeded by the trainer, so a run can be repeated). Rotation samples bilinearly about
 * the centre and fills what comes in from outside with black, as torchvision does.
 */
public final class Augmenter {

    static final double MAX_DEGREES = 10;
    static final double MAX_CHANGE = 0.2;

    private final Set<Augmentation> augmentations;

    public Augmenter(Set<Augmentation> augmentations) {
        this.augmentations = Set.copyOf(augmentations);
    }

    public boolean enabled() {
        return !augmentations.isEmpty();
    }

    public GrayImage apply(GrayImage image, Random random) {
        GrayImage out = image;
        if (augmentations.contains(Augmentation.ROTATE)) {
            out = rotate(out, (random.nextDouble() * 2 - 1) * MAX_DEGREES);
        }
        if (augmentations.contains(Augmentation.FLIP) && random.nextBoolean()) {
            out = flip(out);
        }
        if (augmentations.contains(Augmentation.BRIGHTNESS_CONTRAST)) {
            out = brightnessContrast(out, 1 + (random.nextDouble() * 2 - 1) * MAX_CHANGE,
                    1 + (random.nextDouble() * 2 - 1) * MAX_CHANGE);
        }
        return out;
    }

    static GrayImage rotate(GrayImage image, double degrees) {
        int w = image.width();
        int h = image.height();
        double radians = Math.toRadians(degrees);
        double cos = Math.cos(radians);
        double sin = Math.sin(radians);
        double cx = (w - 1) / 2.0;
        double cy = (h - 1) / 2.0;
        byte[] out = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double sx = cos * (x - cx) + sin * (y - cy) + cx;
                double sy = -sin * (x - cx) + cos * (y - cy) + cy;
                int x0 = (int) Math.floor(sx);
                int y0 = (int) Math.floor(sy);
                double fx = sx - x0;
                double fy = sy - y0;
                double v = (1 - fx) * (1 - fy) * sample(image, x0, y0) + fx * (1 - fy) * sample(image, x0 + 1, y0)
                        + (1 - fx) * fy * sample(image, x0, y0 + 1) + fx * fy * sample(image, x0 + 1, y0 + 1);
                out[y * w + x] = (byte) Math.max(0, Math.min(255, Math.round(v)));
            }
        }
        return new GrayImage(w, h, out);
    }

    private static int sample(GrayImage image, int x, int y) {
        return x < 0 || y < 0 || x >= image.width() || y >= image.height() ? 0 : image.get(x, y);
    }

    static GrayImage flip(GrayImage image) {
        int w = image.width();
        byte[] in = image.pixels();
        byte[] out = new byte[in.length];
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < w; x++) {
                out[y * w + x] = in[y * w + (w - 1 - x)];
            }
        }
        return new GrayImage(w, image.height(), out);
    }

    /** Multiplies by {@code brightness}, then stretches about the mean by {@code contrast}. */
    static GrayImage brightnessContrast(GrayImage image, double brightness, double contrast) {
        byte[] in = image.pixels();
        double mean = 0;
        for (byte b : in) {
            mean += (b & 0xFF) * brightness;
        }
        mean /= in.length;
        byte[] out = new byte[in.length];
        for (int i = 0; i < in.length; i++) {
            double v = ((in[i] & 0xFF) * brightness - mean) * contrast + mean;
            out[i] = (byte) Math.max(0, Math.min(255, Math.round(v)));
        }
        return new GrayImage(image.width(), image.height(), out);
    }
}
