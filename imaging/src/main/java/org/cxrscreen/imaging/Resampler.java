package org.cxrscreen.imaging;

/**
 * Resizes grayscale images: exact area averaging where an axis shrinks (no aliasing, every source
 * pixel counted once), bilinear interpolation where it grows. Pure Java float arithmetic, so the
 * result is bit-identical on every machine and in every service.
 */
public final class Resampler {

    private Resampler() {
    }

    public static GrayImage resize(GrayImage source, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size must be positive, was " + width + "x" + height);
        }
        if (width == source.width() && height == source.height()) {
            return source;
        }
        Kernel horizontal = Kernel.of(source.width(), width);
        Kernel vertical = Kernel.of(source.height(), height);
        byte[] in = source.pixels();
        int sw = source.width();

        float[] rows = new float[source.height() * width];
        for (int y = 0; y < source.height(); y++) {
            int base = y * sw;
            for (int x = 0; x < width; x++) {
                int start = horizontal.start[x];
                float[] w = horizontal.weights[x];
                float sum = 0f;
                for (int k = 0; k < w.length; k++) {
                    sum += w[k] * (in[base + start + k] & 0xFF);
                }
                rows[y * width + x] = sum;
            }
        }
        byte[] out = new byte[width * height];
        float[] sums = new float[width];
        for (int y = 0; y < height; y++) {
            int start = vertical.start[y];
            float[] w = vertical.weights[y];
            java.util.Arrays.fill(sums, 0f);
            // row by row, so memory is read in order; each sum still adds its terms in the order k = 0, 1, ...
            for (int k = 0; k < w.length; k++) {
                float weight = w[k];
                int row = (start + k) * width;
                for (int x = 0; x < width; x++) {
                    sums[x] += weight * rows[row + x];
                }
            }
            for (int x = 0; x < width; x++) {
                int value = Math.round(sums[x]);
                out[y * width + x] = (byte) Math.max(0, Math.min(255, value));
            }
        }
        return new GrayImage(width, height, out);
    }

    /** Per output index: the first source index and the weights of the source samples it reads. */
    private record Kernel(int[] start, float[][] weights) {

        static Kernel of(int sourceSize, int targetSize) {
            return targetSize < sourceSize ? area(sourceSize, targetSize) : bilinear(sourceSize, targetSize);
        }

        private static Kernel area(int sourceSize, int targetSize) {
            int[] start = new int[targetSize];
            float[][] weights = new float[targetSize][];
            double scale = (double) sourceSize / targetSize;
            for (int i = 0; i < targetSize; i++) {
                double from = i * scale;
                double to = Math.min(sourceSize, (i + 1) * scale);
                int first = (int) Math.floor(from);
                int last = Math.min(sourceSize - 1, (int) Math.ceil(to) - 1);
                float[] w = new float[last - first + 1];
                for (int j = first; j <= last; j++) {
                    double overlap = Math.min(to, j + 1) - Math.max(from, j);
                    w[j - first] = (float) (overlap / scale);
                }
                start[i] = first;
                weights[i] = w;
            }
            return new Kernel(start, weights);
        }

        private static Kernel bilinear(int sourceSize, int targetSize) {
            int[] start = new int[targetSize];
            float[][] weights = new float[targetSize][];
            double scale = (double) sourceSize / targetSize;
            for (int i = 0; i < targetSize; i++) {
                double centre = (i + 0.5) * scale - 0.5;
                centre = Math.max(0, Math.min(sourceSize - 1, centre));
                int first = Math.min((int) Math.floor(centre), Math.max(0, sourceSize - 2));
                if (sourceSize == 1) {
                    start[i] = 0;
                    weights[i] = new float[] {1f};
                    continue;
                }
                float fraction = (float) (centre - first);
                start[i] = first;
                weights[i] = new float[] {1f - fraction, fraction};
            }
            return new Kernel(start, weights);
        }
    }
}
