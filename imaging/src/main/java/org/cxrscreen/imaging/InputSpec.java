package org.cxrscreen.imaging;

import java.util.Arrays;

/**
 * What a model takes as input: the square side after resize and centre crop, the number of channels
 * (the grayscale image is repeated in each) and the per-channel normalisation
 * {@code (sample / 255 - mean[c]) / std[c]}. It is stored with every model, so serving uses exactly
 * what training used.
 *
 * @param size side of the square input, in pixels
 * @param channels channels the network expects (1 or 3)
 * @param mean per-channel mean subtracted after scaling to [0, 1]
 * @param std per-channel standard deviation divided by
 */
public record InputSpec(int size, int channels, float[] mean, float[] std) {

    /** 224 x 224, three channels, ImageNet statistics (so ImageNet-initialised weights fit as well). */
    public static final InputSpec DEFAULT = new InputSpec(224, 3,
            new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

    public InputSpec {
        if (size <= 0) {
            throw new IllegalArgumentException("input size must be positive, was " + size);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, was " + channels);
        }
        if (mean == null || std == null || mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException("mean and std need one value per channel");
        }
        for (float s : std) {
            if (!(s > 0f)) {
                throw new IllegalArgumentException("std values must be positive");
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** Floats in one input tensor (channels x size x size). */
    public int tensorLength() {
        return channels * size * size;
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InputSpec other && size == other.size && channels == other.channels
                && Arrays.equals(mean, other.mean) && Arrays.equals(std, other.std);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * size + channels) + Arrays.hashCode(mean)) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "InputSpec[size=" + size + ", channels=" + channels + ", mean=" + Arrays.toString(mean)
                + ", std=" + Arrays.toString(std) + "]";
    }
}
