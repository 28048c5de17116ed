package org.cxrscreen.imaging;

/**
 * The one routine that turns a canonical image into model input, shared by training and inference:
 * resize so the shorter side equals the input size (aspect kept), centre crop to a square, repeat the
 * grayscale into each channel, scale to [0, 1] and normalise per channel. The result is a CHW float
 * tensor.
 *
 * <p>It runs in two steps so training can keep the cropped 8-bit images in memory and build tensors
 * per batch: {@link #fit} then {@link #toTensor}; {@link #preprocess} does both.
 */
public final class Preprocessor {

    private final InputSpec spec;
    private final float[] scale;
    private final float[] offset;

    public Preprocessor(InputSpec spec) {
        this.spec = spec;
        float[] mean = spec.mean();
        float[] std = spec.std();
        this.scale = new float[spec.channels()];
        this.offset = new float[spec.channels()];
        for (int c = 0; c < spec.channels(); c++) {
            scale[c] = 1f / (255f * std[c]);
            offset[c] = mean[c] / std[c];
        }
    }

    public InputSpec spec() {
        return spec;
    }

    /** Resize (shorter side to the input size) and centre crop: an 8-bit square image. */
    public GrayImage fit(GrayImage image) {
        int size = spec.size();
        int width;
        int height;
        if (image.width() <= image.height()) {
            width = size;
            height = Math.max(size, (int) Math.round((double) image.height() * size / image.width()));
        } else {
            height = size;
            width = Math.max(size, (int) Math.round((double) image.width() * size / image.height()));
        }
        GrayImage resized = Resampler.resize(image, width, height);
        if (width == size && height == size) {
            return resized;
        }
        int left = (width - size) / 2;
        int top = (height - size) / 2;
        byte[] crop = new byte[size * size];
        byte[] source = resized.pixels();
        for (int y = 0; y < size; y++) {
            System.arraycopy(source, (top + y) * width + left, crop, y * size, size);
        }
        return new GrayImage(size, size, crop);
    }

    /** A fitted image as a normalised CHW tensor. */
    public float[] toTensor(GrayImage fitted) {
        float[] tensor = new float[spec.tensorLength()];
        toTensor(fitted, tensor, 0);
        return tensor;
    }

    /** Writes a fitted image's tensor into {@code target} from {@code offset}, for batches. */
    public void toTensor(GrayImage fitted, float[] target, int at) {
        int size = spec.size();
        if (fitted.width() != size || fitted.height() != size) {
            throw new IllegalArgumentException("expected a fitted " + size + "x" + size + " image, got " + fitted);
        }
        byte[] pixels = fitted.pixels();
        int plane = size * size;
        for (int c = 0; c < spec.channels(); c++) {
            float s = scale[c];
            float o = offset[c];
            int base = at + c * plane;
            for (int i = 0; i < plane; i++) {
                target[base + i] = (pixels[i] & 0xFF) * s - o;
            }
        }
    }

    /** {@link #fit} then {@link #toTensor}. */
    public float[] preprocess(GrayImage image) {
        return toTensor(fit(image));
    }
}
